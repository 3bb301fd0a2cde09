from __future__ import annotations

from django import template

from .. import progress

register = template.Library()


@register.simple_tag(takes_context=True)
def loyalty_challenges(context):
    """The member's running challenges with their progress (``progress.progress_for``)."""
    return progress.progress_for(context.get("member"))
