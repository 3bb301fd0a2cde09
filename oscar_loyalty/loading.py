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

from django.core.signals import setting_changed
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


# What each (module, names, prefix) resolved to. Oscar's offers ask for their
# condition and benefit classes each time one is used (``proxy_map``), about 50
# times per checkout request; a class, once found, stays the same until the
# apps or this setting change (tests with ``override_settings``).
_resolved: dict[tuple, list] = {}


def class_loader(module_label: str, classnames: list[str], module_prefix: str):
    key = (module_label, tuple(classnames), module_prefix)
    found = _resolved.get(key)
    if found is None:
        # Each requested class is resolved on its own so that asking for several
        # at once (get_classes) mixes overrides and Oscar's classes correctly.
        loaded = default_class_loader(module_label, classnames, module_prefix)
        found = _resolved[key] = [
            loyalty_override(module_label, name) or original
            for name, original in zip(classnames, loaded, strict=True)
        ]
    return list(found)


def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("INSTALLED_APPS", "OSCAR_DYNAMIC_CLASS_LOADER"):
        _resolved.clear()


setting_changed.connect(_forget, dispatch_uid="oscar_loyalty.loading.forget")
