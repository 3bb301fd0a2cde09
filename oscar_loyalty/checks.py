"""System checks: a wrong configuration is reported at start-up, naming the setting."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX


def _int_between(name: str, low: int, high: int) -> list[Error]:
    value = getattr(app_settings, name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return [
            Error(
                f"{PREFIX}{name} must be a whole number from {low} to {high}; it is {value!r}.",
                id=f"oscar_loyalty.E_{name}",
            )
        ]
    return []


def _strings(name: str) -> list[Error]:
    from django.conf import settings as django_settings

    raw = getattr(django_settings, PREFIX + name, None)
    if raw is None:
        return []
    if (
        isinstance(raw, str)
        or not isinstance(raw, Iterable)
        or not all(isinstance(item, str) for item in raw)
    ):
        return [
            Error(
                f'{PREFIX}{name} must be a list of strings, e.g. ["Cancelled"]; it is {raw!r}.',
                id=f"oscar_loyalty.E_{name}",
            )
        ]
    return []


#: The limits of ``oscar_loyalty.ratelimit``, each ``(attempts, seconds)``.
RATE_LIMITS = (
    "VOUCHER_RATE_LIMIT",
    "POINTS_RATE_LIMIT",
    "CONSENT_LINKS_RATE_LIMIT",
    "ONE_CLICK_RATE_LIMIT",
    "ONE_CLICK_PER_LINK_RATE_LIMIT",
)


def rate_limit_problems(name: str) -> list[Error]:
    """``name`` must be ``(attempts, seconds)``, both at least 1 (``oscar_loyalty.ratelimit``)."""
    try:
        attempts, seconds = getattr(app_settings, name)
    except (TypeError, ValueError):
        attempts = seconds = 0
    if attempts < 1 or seconds < 1:
        raw = getattr(settings, PREFIX + name, None)
        return [
            Error(
                f"{PREFIX}{name} must be (attempts, seconds), both at least 1; it is {raw!r}.",
                id=f"oscar_loyalty.E_{name}",
            )
        ]
    return []


def client_ip_problems() -> list[Error]:
    """``OSCAR_LOYALTY_CLIENT_IP`` must name a function that can be imported."""
    from django.utils.module_loading import import_string

    path = app_settings.CLIENT_IP
    try:
        found = import_string(path)
    except (ImportError, AttributeError, TypeError, ValueError):
        found = None
    if not callable(found):
        return [
            Error(
                f"{PREFIX}CLIENT_IP must be the dotted path of a function request -> str; "
                f"{path!r} cannot be imported.",
                id="oscar_loyalty.E_CLIENT_IP",
            )
        ]
    return []


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    for name in RATE_LIMITS:
        errors += rate_limit_problems(name)
    errors += client_ip_problems()
    errors += _int_between("MEMBER_NUMBER_LENGTH", 8, 18)
    errors += _int_between("TIER_WINDOW_MONTHS", 1, 120)
    errors += _int_between("TIER_DOWNGRADE_GRACE_DAYS", 0, 365)
    errors += _int_between("RENEWAL_REMINDER_DAYS", 0, 365)
    errors += _strings("CANCELLED_ORDER_STATUSES")
    errors += _strings("REFUND_EVENT_TYPES")
    errors += sender_problems()
    errors += site_url_problems()
    errors += fragment_problems()
    return errors


def fragment_problems() -> list[Error]:
    """A slot name no template renders (a typo in an app's ``loyalty_fragments``)."""
    from oscar_loyalty.fragments import SLOTS, unknown_slots

    return [
        Error(
            f"{where} in loyalty_fragments is not a slot; the slots are {sorted(SLOTS)}.",
            id="oscar_loyalty.E_FRAGMENT_SLOT",
        )
        for where in unknown_slots()
    ]


def site_url_problems() -> list[Warning]:
    """RFC 8058: the one-click ``List-Unsubscribe`` URI must be HTTPS.

    Gmail and Yahoo ignore (and may penalise) a plain-HTTP one-click link, and
    an unsubscribe over HTTP leaks its token. Checked in production settings
    only (``DEBUG`` off), and never for a loopback host (``http://127.0.0.1``).
    """
    url = app_settings.SITE_URL
    if settings.DEBUG or not url:
        return []  # None: https:// plus the current Site's domain
    from urllib.parse import urlsplit

    parts = urlsplit(str(url))
    # A loopback address is a developer's or a test's machine, not a store.
    if parts.scheme.lower() == "https" or parts.hostname in ("localhost", "127.0.0.1", "::1"):
        return []
    return [
        Warning(
            f"{PREFIX}SITE_URL is {url!r}: the List-Unsubscribe links in every marketing "
            "email are built from it and must be HTTPS (RFC 8058).",
            hint="Set it to the store's https:// address.",
            id="oscar_loyalty.W_SITE_URL_NOT_HTTPS",
        )
    ]


def sender_problems() -> list[Error]:
    """§30A: every advertisement names the advertiser and how to reach them.

    Required as soon as the add-on can send advertising: the newsletter app is
    installed or a member email type is declared advertising.
    """
    from django.apps import apps

    sends_ads = apps.is_installed("oscar_loyalty.apps.newsletter") or bool(
        app_settings.ADVERTISING_EMAIL_TYPES
    )
    if not sends_ads:
        return []
    return [
        Error(
            f"{PREFIX}{name} is empty, but the add-on sends advertising email: the footer of "
            "every marketing message must show the sender's name, address and contact details "
            "(Israel's Communications Law §30A).",
            id=f"oscar_loyalty.E_{name}",
        )
        for name in ("SENDER_NAME", "SENDER_ADDRESS", "SENDER_CONTACT")
        if not str(getattr(app_settings, name) or "").strip()
    ]


@register(Tags.templates)
def check_app_order(app_configs=None, **kwargs) -> list:
    """The account-page tabs need our templates found before Oscar's."""
    return app_order_problems(list(settings.INSTALLED_APPS))


def app_order_problems(apps: list[str]) -> list:
    if "oscar_loyalty" not in apps:
        return [
            Error(
                'Add "oscar_loyalty" to INSTALLED_APPS (before Oscar\'s apps) '
                "for the add-on's templates and checks.",
                id="oscar_loyalty.E_INSTALLED_APPS",
            )
        ]
    oscar_positions = [i for i, name in enumerate(apps) if name in ("oscar", "oscar.config.Shop")]
    if oscar_positions and apps.index("oscar_loyalty") > oscar_positions[0]:
        return [
            Warning(
                '"oscar_loyalty" comes after Oscar in INSTALLED_APPS, so the club tabs '
                "will not appear in the account area.",
                hint='Move "oscar_loyalty" above "oscar.config.Shop".',
                id="oscar_loyalty.W_INSTALLED_APPS",
            )
        ]
    return []
