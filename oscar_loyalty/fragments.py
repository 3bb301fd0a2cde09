"""Template fragments: what each installed app adds to Oscar's pages, slot by slot.

The add-on's few extensions of Oscar's templates (the basket, the product
page, the checkout preview, the thank-you page, the order page, the account
tabs, the customer page in the dashboard) each render one named slot with
``{% club_fragments "basket" %}`` (``loyalty_club`` tag library). Which
templates fill a slot comes from the installed apps: any ``AppConfig`` (the
add-on's or the store's own) may declare::

    loyalty_fragments = {
        "basket": ["mystore/club/basket_note.html"],
        "account_tabs": [fragment("mystore/club/tab.html", order=45)],
    }

so a left-out app's templates (and the tag libraries they load) are never
rendered. Fragments render in ``order`` (default 50), then in the order of
``INSTALLED_APPS``; each gets the page's context. See docs/extending.md.
"""

from __future__ import annotations

from typing import NamedTuple

from django.apps import apps
from django.utils.module_loading import import_string

# The slots the add-on's templates render, and where (Oscar's template and block).
SLOTS = {
    "basket": "oscar/basket/partials/basket_content.html, block vouchers",
    "product": "oscar/catalogue/detail.html, block product_stock_record",
    "product_list": "oscar/catalogue/partials/product.html, block product_price",
    "preview": "oscar/checkout/preview.html, block order_contents",
    "shipping_methods": "oscar/checkout/shipping_methods.html, block shipping_method",
    "thank_you": "oscar/checkout/thank_you.html, block basket_totals",
    "order": "oscar/customer/order/order_detail.html, block order_actions",
    "account_tabs": "oscar/customer/baseaccountpage.html, block standard_tabs",
    "dashboard_customer": "oscar/dashboard/users/detail.html, block additional_general_info",
    # The member's home at /club/ (the add-on's own page, not Oscar's):
    # sections, the <li> items of "Ways to earn" and of "Waiting for you".
    "member_home": "oscar_loyalty/membership/home.html, the sections",
    "ways_to_earn": "oscar_loyalty/membership/home.html, the list of ways to earn",
    "gifts_waiting": "oscar_loyalty/membership/home.html, the list of gifts and vouchers",
    "account_gifts": "oscar_loyalty/offers/my_gifts.html, rows of the Club gifts table",
}
DEFAULT_ORDER = 50


class Fragment(NamedTuple):
    template: str
    order: int = DEFAULT_ORDER


def fragment(template: str, *, order: int = DEFAULT_ORDER) -> Fragment:
    return Fragment(template, order)


def fragments_for(slot: str) -> list[str]:
    """The templates that fill ``slot`` in this store, in order."""
    if slot not in SLOTS:
        raise ValueError(f"Unknown fragment slot {slot!r}; the slots are {sorted(SLOTS)}.")
    found: list[Fragment] = []
    for config in apps.get_app_configs():
        for item in getattr(config, "loyalty_fragments", {}).get(slot, ()):
            found.append(item if isinstance(item, Fragment) else Fragment(item))
    # sorted() is stable: equal orders keep the order of INSTALLED_APPS.
    return [item.template for item in sorted(found, key=lambda item: item.order)]


def unknown_slots() -> list[str]:
    """Slots declared by an installed app that no template renders (a typo): for the checks."""
    return [
        f"{config.name}: {slot!r}"
        for config in apps.get_app_configs()
        for slot in getattr(config, "loyalty_fragments", {})
        if slot not in SLOTS
    ]


def order_for_totals(order, request):
    """The order Oscar's totals on the thank-you page read, through the installed apps.

    An app's ``AppConfig.loyalty_totals_order`` names a function
    ``(order, request) -> order`` (points: the place-order receipt answers two
    of the totals' queries, ``points/receipt.py``).
    """
    for config in apps.get_app_configs():
        path = getattr(config, "loyalty_totals_order", None)
        if path:
            order = import_string(path)(order, request)
    return order
