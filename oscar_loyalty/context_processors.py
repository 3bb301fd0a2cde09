"""Context processors a store lists in ``TEMPLATES`` instead of Oscar's own.

``search_form``: Oscar's ``oscar.apps.search.context_processors.search_form``
puts the catalogue's search form (a query and the product "Sort by" menu) into
every template's context, under the name Wagtail's admin uses for a listing's
own search form. Wagtail's generic views set ``search_form`` only where the
listing is searchable, so every other admin page (a listing without search,
an edit form, the campaign send page) rendered Oscar's form in its header:
the "Sort by" menu of products inside Wagtail. This one gives Oscar's form to
every page except the Wagtail admin's; Oscar's own catalogue and search pages
are unchanged. It imports nothing of Wagtail: the admin is found by the URL
of its dashboard (``wagtailadmin_home``), when the store has one.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from oscar.apps.search.context_processors import search_form as oscar_search_form


def _wagtail_admin_prefix() -> str | None:
    try:
        return reverse("wagtailadmin_home")
    except NoReverseMatch:
        return None


def is_wagtail_admin(request) -> bool:
    prefix = _wagtail_admin_prefix()
    return prefix is not None and request.path.startswith(prefix)


def search_form(request) -> dict:
    """Oscar's site-wide product search form, except on Wagtail admin pages."""
    if is_wagtail_admin(request):
        return {}
    return oscar_search_form(request)
