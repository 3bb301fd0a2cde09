import re

from django import template
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from oscar_loyalty.mail import absolute_url

register = template.Library()

_RELATIVE = re.compile(r'(\s(?:href|src)=")(/[^"]*)"')


@register.filter
def absolute(url: str) -> str:
    """A site-relative URL made absolute: mail clients have no base URL."""
    url = str(url or "")
    return absolute_url(url) if url.startswith("/") else url


@register.filter
def email_richtext(value) -> str:
    """Rich text with Wagtail's internal links expanded and every link absolute."""
    html = expand_db_html(getattr(value, "source", str(value)))
    # Rich text from Wagtail's editor, sanitised by its whitelist on save.
    absolute_links = _RELATIVE.sub(lambda m: f'{m.group(1)}{absolute_url(m.group(2))}"', html)
    return mark_safe(absolute_links)  # noqa: S308
