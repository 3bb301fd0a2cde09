"""The README's installation blocks (install_check/readme_blocks.py), checked on every run.

``install_check/run.sh`` installs the built wheel into a fresh store and follows
these blocks end to end (minutes, with the network); these tests catch a broken
README edit in ``make test``: each block parses, appended to the stock store's
files it names only apps, middleware and URLconfs that exist, and each
configuration holds what it says.
"""

from pathlib import Path

import pytest
from django.apps import AppConfig
from django.utils.module_loading import import_string

from install_check.readme_blocks import CONFIGURATIONS, PARTS, block, blocks

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
STORE = ROOT / "install_check" / "store" / "frobshop"

CLUB_APPS = {
    "oscar_loyalty",
    *(
        f"oscar_loyalty.apps.{app}.apps.{config}"
        for app, config in [
            ("consent", "ConsentConfig"),
            ("privacy", "PrivacyConfig"),
            ("journey", "JourneyConfig"),
            ("membership", "MembershipConfig"),
            ("points", "PointsConfig"),
            ("offers", "OffersConfig"),
            ("referrals", "ReferralsConfig"),
            ("segments", "SegmentsConfig"),
            ("challenges", "ChallengesConfig"),
            ("rewards", "RewardsConfig"),
            ("partners", "PartnersConfig"),
            ("reports", "ReportsConfig"),
            ("actions", "ActionsConfig"),
            ("dashboard", "LoyaltyDashboardConfig"),
        ]
    ),
}
NEWSLETTER = "oscar_loyalty.apps.newsletter.apps.NewsletterConfig"


def assembled(config: str, part: str) -> dict:
    """The stock store's file with the README's block appended, as run.sh does, executed."""
    source = (STORE / f"{part}.py").read_text() + "\n\n" + block(README, config, part)
    namespace = {"__file__": str(STORE / f"{part}.py"), "__name__": f"frobshop.{part}"}
    exec(compile(source, f"README.md install-{config}-{part}", "exec"), namespace)  # noqa: S102
    return namespace


def test_the_readme_has_a_settings_and_a_urls_block_for_each_configuration():
    assert set(blocks(README)) == {(c, p) for c in CONFIGURATIONS for p in PARTS}


def test_a_marker_without_its_block_is_an_error_not_a_block_silently_skipped():
    broken = README.replace("<!-- --8<-- [end:install-full-urls] -->", "", 1)
    with pytest.raises(ValueError, match="full"):
        blocks(broken)


@pytest.mark.parametrize("config", CONFIGURATIONS)
@pytest.mark.parametrize("part", PARTS)
def test_each_readme_block_is_python(config, part):
    compile(block(README, config, part), f"install-{config}-{part}", "exec")


@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_each_settings_block_installs_only_apps_that_exist_once_and_the_club_first(config):
    settings = assembled(config, "settings")
    installed = settings["INSTALLED_APPS"]
    labels = [AppConfig.create(entry).label for entry in installed]  # imports each app
    assert len(labels) == len(set(labels)), "an app is installed twice"
    assert installed[0] == "oscar_loyalty"  # its templates win over Oscar's
    club = {app for app in installed if app.startswith("oscar_loyalty")}
    assert club == (CLUB_APPS if config == "core" else CLUB_APPS | {NEWSLETTER})
    wagtail = [app for app in installed if app.startswith("wagtail")]
    assert bool(wagtail) == (config != "core")
    for path in settings["MIDDLEWARE"]:
        import_string(path)
    assert settings["MIDDLEWARE"].index(
        "oscar_loyalty.apps.journey.middleware.FirstTouchMiddleware"
    ) > settings["MIDDLEWARE"].index("django.contrib.auth.middleware.AuthenticationMiddleware")


@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_each_settings_block_sets_what_the_checks_and_the_club_need(config):
    settings = assembled(config, "settings")
    # Empty, these three are system-check errors that stop migrate (with the newsletter).
    for name in ("SENDER_NAME", "SENDER_ADDRESS", "SENDER_CONTACT"):
        assert str(settings[f"OSCAR_LOYALTY_{name}"]).strip()
    assert settings["OSCAR_DYNAMIC_CLASS_LOADER"] == "oscar_loyalty.loading.class_loader"
    assert settings["OSCAR_DASHBOARD_NAVIGATION"][-1]["label"] == "Customer club"
    assert settings["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert settings["OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES"]
    if config != "core":
        assert settings["WAGTAIL_SITE_NAME"] and settings["WAGTAILADMIN_BASE_URL"]
    if config == "full":
        assert "django.middleware.locale.LocaleMiddleware" in settings["MIDDLEWARE"]
        assert "he" in dict(settings["LANGUAGES"])


@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_each_urls_block_mounts_the_club_before_oscars_catch_all(config):
    patterns = assembled(config, "urls")["urlpatterns"]
    routes = [str(pattern.pattern) for pattern in patterns]
    assert routes[:3] == ["club/", "dashboard/loyalty/", "anymail/"]
    assert routes[-1] == ""  # Oscar's catch-all stays last
    assert ("cms/" in routes) == (config != "core")
