"""An Oscar class loader that swaps in the add-on's classes.

Enable it with one setting::

    OSCAR_DYNAMIC_CLASS_LOADER = "oscar_loyalty.loading.class_loader"

Every ``get_class`` call Oscar makes then returns the add-on's class where one
is listed below, and Oscar's usual lookup (including the store's forked apps)
for everything else (an override whose app is not installed is skipped, so
the member-price ``Selector`` needs ``oscar_loyalty.apps.offers``). A store
that already has its own loader calls
``loyalty_override`` from it first.
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from oscar.core.loading import default_class_loader

OVERRIDES: dict[tuple[str, str], str] = {
    ("customer.forms", "EmailUserCreationForm"): (
        "oscar_loyalty.apps.membership.forms.ClubRegistrationForm"
    ),
    ("partner.strategy", "Selector"): "oscar_loyalty.apps.offers.strategy.Selector",
    # The tier perks' ranges answered from memory (issue #22's query budget).
    ("offer.applicator", "Applicator"): "oscar_loyalty.apps.offers.applicator.Applicator",
    # The points offer is a way to pay, not a promotion on Oscar's offer pages.
    ("offer.views", "OfferListView"): "oscar_loyalty.apps.points.offer_views.OfferListView",
    # Rate limit on unknown voucher codes (guessing).
    ("basket.views", "VoucherAddView"): "oscar_loyalty.vouchers.VoucherAddView",
}


def _app_installed(path: str) -> bool:
    # "oscar_loyalty.apps.offers.strategy.Selector" needs "oscar_loyalty.apps.offers";
    # read from settings, as Oscar may call get_class before the app registry is ready.
    from django.conf import settings

    if not path.startswith("oscar_loyalty.apps."):
        return True  # the core's own (the voucher rate limit): always on
    app = ".".join(path.split(".")[:3])
    return any(name == app or name.startswith(app + ".") for name in settings.INSTALLED_APPS)


def loyalty_override(module_label: str, classname: str):
    path = OVERRIDES.get((module_label, classname))
    return import_string(path) if path and _app_installed(path) else None


def class_loader(module_label: str, classnames: list[str], module_prefix: str):
    # Each requested class is resolved on its own so that asking for several
    # at once (get_classes) mixes overrides and Oscar's classes correctly.
    loaded = default_class_loader(module_label, classnames, module_prefix)
    return [
        loyalty_override(module_label, name) or original
        for name, original in zip(classnames, loaded, strict=True)
    ]
