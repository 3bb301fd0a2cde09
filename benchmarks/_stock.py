"""Stock Oscar in the add-on's process: what the checkout benchmark compares against.

``stock_oscar()`` switches the add-on's behaviour off and back on, so both
configurations run in one process on one database (docs/performance.md).
"""

from __future__ import annotations

import gc
import weakref
from contextlib import contextmanager

# Switching the add-on off -------------------------------------------------------------------


def _loyalty_receiver(receiver) -> bool:
    if isinstance(receiver, weakref.ReferenceType):  # WeakMethod included
        receiver = receiver()
    return (getattr(receiver, "__module__", "") or "").startswith("oscar_loyalty")


def _all_signals():
    from django.dispatch import Signal

    return [obj for obj in gc.get_objects() if isinstance(obj, Signal)]


@contextmanager
def stock_oscar():
    """Switch the add-on's behaviour off in this process, and back on afterwards.

    * Oscar's own class loader (so Oscar's ``Selector``, no member prices),
      including the basket middleware's module-level selector;
    * every receiver defined in ``oscar_loyalty`` disconnected from every
      signal (order placed, post checkout, voucher added, Anymail pre-send...);
    * the add-on's site offers (points discount, friend's first order) suspended,
      as they would not exist in a store without the add-on;
    * templates: the add-on's overrides of Oscar's templates (basket box,
      checkout preview, product page, thank-you page) not found, so Oscar's
      own templates render, without the add-on's template tags.
    """
    from django.conf import settings
    from django.test.utils import override_settings
    from oscar.apps.basket import middleware
    from oscar.apps.partner.strategy import Selector as OscarSelector
    from oscar.core.loading import get_class_loader, get_model

    ConditionalOffer = get_model("offer", "ConditionalOffer")
    offers = ConditionalOffer.objects.filter(
        condition__proxy_class__startswith="oscar_loyalty"
    ) | ConditionalOffer.objects.filter(benefit__proxy_class__startswith="oscar_loyalty")
    statuses = dict(offers.values_list("pk", "status"))
    ConditionalOffer.objects.filter(pk__in=statuses).update(status=ConditionalOffer.SUSPENDED)

    saved_receivers = {}
    for signal in _all_signals():
        with signal.lock:
            kept = [r for r in signal.receivers if not _loyalty_receiver(r[1])]
            if len(kept) != len(signal.receivers):
                saved_receivers[signal] = signal.receivers
                signal.receivers = kept
                signal.sender_receivers_cache.clear()

    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "loaders": [
            "django.template.loaders.filesystem.Loader",
            "benchmarks._stock.AppDirectoriesWithoutLoyaltyOverrides",
        ],
    }
    saved_selector = middleware.selector
    try:
        with override_settings(
            OSCAR_DYNAMIC_CLASS_LOADER="oscar.core.loading.default_class_loader",
            TEMPLATES=templates,
        ):
            get_class_loader.cache_clear()
            middleware.selector = OscarSelector()
            yield
    finally:
        middleware.selector = saved_selector
        get_class_loader.cache_clear()
        for signal, receivers in saved_receivers.items():
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()
        for pk, status in statuses.items():
            ConditionalOffer.objects.filter(pk=pk).update(status=status)


def _loader_class():
    from django.template.loaders.app_directories import Loader

    class AppDirectoriesWithoutLoyaltyOverrides(Loader):
        """App template directories, minus the add-on's overrides of Oscar's templates."""

        def get_dirs(self):
            import oscar_loyalty

            ours = str(__import__("pathlib").Path(oscar_loyalty.__file__).parent / "templates")
            return [d for d in super().get_dirs() if str(d) != ours]

    return AppDirectoriesWithoutLoyaltyOverrides


def __getattr__(name):  # the template loader is built after Django is set up
    if name == "AppDirectoriesWithoutLoyaltyOverrides":
        return _loader_class()
    raise AttributeError(name)
