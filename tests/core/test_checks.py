import pytest

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.checks import check_consent_settings
from oscar_loyalty.checks import app_order_problems, check_app_order, check_settings
from tests.stores import last_line_in_store


def messages(settings_override, settings):
    for name, value in settings_override.items():
        setattr(settings, name, value)
    return [error.msg for error in check_settings() + check_consent_settings()]


def test_the_default_configuration_passes_the_checks():
    assert check_settings() == []
    assert check_consent_settings() == []
    assert check_app_order() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OSCAR_LOYALTY_TIER_WINDOW_MONTHS", 0),
        ("OSCAR_LOYALTY_TIER_WINDOW_MONTHS", "12"),
        ("OSCAR_LOYALTY_MEMBER_NUMBER_LENGTH", 40),
        ("OSCAR_LOYALTY_RENEWAL_REMINDER_DAYS", -1),
        ("OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES", "Cancelled"),
        ("OSCAR_LOYALTY_CONSENT_CHANNELS_OFFERED", ["email", "pigeon"]),
        ("OSCAR_LOYALTY_CONSENT_WORDING", {"marketing:email": {"text": "Yes"}}),
        # The rate limits and the client's address are the core's: checked without
        # the privacy app.
        ("OSCAR_LOYALTY_VOUCHER_RATE_LIMIT", (0, 60)),
        ("OSCAR_LOYALTY_ONE_CLICK_PER_LINK_RATE_LIMIT", "often"),
        ("OSCAR_LOYALTY_CLIENT_IP", "myshop.no_such_module.ip"),
        ("OSCAR_LOYALTY_CLIENT_IP", "oscar_loyalty.clientip.DEFAULT"),
    ],
)
def test_a_wrong_setting_is_reported_by_its_exact_name(settings, name, value):
    found = messages({name: value}, settings)
    assert any(name in message for message in found), found


def test_settings_are_read_lazily(settings):
    settings.OSCAR_LOYALTY_TIER_WINDOW_MONTHS = 3
    assert app_settings.TIER_WINDOW_MONTHS == 3


def test_listing_the_addon_after_oscar_is_a_warning_and_leaving_it_out_an_error(settings):
    apps = [a for a in settings.INSTALLED_APPS if a != "oscar_loyalty"]
    assert [w.id for w in app_order_problems(apps + ["oscar_loyalty"])] == [
        "oscar_loyalty.W_INSTALLED_APPS"
    ]
    assert [e.id for e in app_order_problems(apps)] == ["oscar_loyalty.E_INSTALLED_APPS"]


def test_a_store_without_wagtail_runs_the_core_apps():
    """Points, prices, coupons and referrals must work in a store without Wagtail.

    A fresh interpreter sets up a store with no Wagtail installed, imports every
    module of the add-on except the newsletter app, runs the system checks, and
    reports whether anything imported Wagtail.
    """
    code = (
        "import sys, importlib, pkgutil\n"
        "from django.core.management import call_command\n"
        "import oscar_loyalty\n"
        "for info in pkgutil.walk_packages(oscar_loyalty.__path__, 'oscar_loyalty.'):\n"
        "    if '.newsletter' in info.name or '.migrations' in info.name:\n"
        "        continue\n"
        "    importlib.import_module(info.name)\n"
        "call_command('check', fail_level='WARNING')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'wagtail'))\n"
    )
    assert last_line_in_store(code, "tests.settings_without_wagtail") == "[]"


def test_manage_py_check_runs_the_addons_checks(settings):
    """The checks are registered by the package's AppConfig, not only importable."""
    from django.apps import apps
    from django.core import checks

    assert type(apps.get_app_config("oscar_loyalty")).__name__ == "OscarLoyaltyConfig"
    settings.OSCAR_LOYALTY_TIER_WINDOW_MONTHS = 0
    found = [str(message) for message in checks.run_checks()]
    assert any("OSCAR_LOYALTY_TIER_WINDOW_MONTHS" in message for message in found), found


@pytest.mark.parametrize(
    "debug, url, warned",
    [
        (False, "http://shop.example", True),
        (False, "HTTPS://shop.example", False),
        (False, None, False),
        (False, "http://127.0.0.1:8000", False),
        (True, "http://shop.example", False),
    ],
)
def test_a_plain_http_site_url_in_production_is_a_warning(settings, debug, url, warned):
    settings.DEBUG = debug
    settings.OSCAR_LOYALTY_SITE_URL = url
    ids = [problem.id for problem in check_settings()]
    assert ("oscar_loyalty.W_SITE_URL_NOT_HTTPS" in ids) is warned
