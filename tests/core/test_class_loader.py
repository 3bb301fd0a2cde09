"""The add-on's class loader: Oscar's classes and the add-on's overrides, each found once."""

from django.conf import settings
from django.core.signals import setting_changed
from oscar.apps.offer.conditions import CountCondition
from oscar.apps.partner.strategy import Selector as OscarSelector

from oscar_loyalty import loading
from oscar_loyalty.apps.offers.strategy import Selector


def counting_loader(monkeypatch) -> list:
    calls = []
    real = loading.default_class_loader

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(loading, "default_class_loader", spy)
    loading._resolved.clear()
    return calls


def test_a_repeated_lookup_is_answered_without_searching_the_apps_again(monkeypatch):
    calls = counting_loader(monkeypatch)
    for _ in range(3):
        assert loading.class_loader("offer.conditions", ["CountCondition"], "oscar.apps") == [
            CountCondition
        ]
        assert loading.class_loader("partner.strategy", ["Selector"], "oscar.apps") == [Selector]
    assert len(calls) == 2


def test_a_caller_changing_the_answer_it_got_changes_nothing_for_the_next(monkeypatch):
    counting_loader(monkeypatch)
    first = loading.class_loader("partner.strategy", ["Selector"], "oscar.apps")
    first[0] = OscarSelector
    assert loading.class_loader("partner.strategy", ["Selector"], "oscar.apps") == [Selector]


def test_changing_the_loader_setting_makes_every_class_be_looked_up_again(monkeypatch, settings):
    calls = counting_loader(monkeypatch)
    loading.class_loader("partner.strategy", ["Selector"], "oscar.apps")
    settings.OSCAR_DYNAMIC_CLASS_LOADER = "oscar_loyalty.loading.class_loader"
    loading.class_loader("partner.strategy", ["Selector"], "oscar.apps")
    assert len(calls) == 2


def test_an_override_whose_app_left_the_settings_is_not_served_from_memory(monkeypatch):
    counting_loader(monkeypatch)
    assert loading.class_loader("partner.strategy", ["Selector"], "oscar.apps") == [Selector]
    without_offers = [app for app in settings.INSTALLED_APPS if "apps.offers" not in app]
    # The loader reads INSTALLED_APPS itself (Oscar may ask before the registry is
    # ready), so the setting alone changes, as override_settings would announce it.
    monkeypatch.setattr(settings, "INSTALLED_APPS", without_offers)
    setting_changed.send(sender=None, setting="INSTALLED_APPS", value=without_offers, enter=True)
    assert loading.class_loader("partner.strategy", ["Selector"], "oscar.apps") == [OscarSelector]
