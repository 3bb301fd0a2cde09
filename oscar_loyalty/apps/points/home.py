"""The points' part of the member's home (``/club/``): the figures and the ways to earn.

Every figure is the one the points page shows, from the same services: the
balance, pending and debt are the account's totals (kept with each ledger
entry), the next expiry the lots' (``services.next_expiry``), the rates the
earning policy's own (``EarningPolicy.earning_rules``). Nothing is summed
again here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.templatetags.currency_filters import currency

from oscar_loyalty import app_settings

from . import services
from .bonuses import bonuses_received
from .policies import get_policy
from .services import PointsSummary


@dataclass(frozen=True)
class Way:
    """One way to earn, as a sentence, and where to act on it (optional)."""

    text: str
    url: str = ""
    link_text: str = ""


@dataclass(frozen=True)
class PointsHome:
    summary: PointsSummary
    next_expiry_at: datetime | None = None
    next_expiry_points: int = 0


def points_home(request, member, *, now: datetime | None = None) -> PointsHome:
    """The member's points figures (the totals from the club context, when loaded)."""
    now = now or timezone.now()
    summary = services.summary_for_request(request, now=now)
    expiry = None
    if summary.member_id is not None:
        expiry = services.next_expiry(services.get_account(member), now=now)
    return PointsHome(
        summary=summary,
        next_expiry_at=expiry[0] if expiry else None,
        next_expiry_points=expiry[1] if expiry else 0,
    )


def _number(value: Decimal) -> str:
    """1.50 -> "1.5", 2.00 -> "2": rates and multipliers as people write them."""
    return format(Decimal(value).normalize(), "f")


def _rule_text(rule) -> str:
    unit = currency(Decimal("1"))
    if rule.scope:
        return _("%(rate)s points for every %(unit)s spent on %(scope)s") % {
            "rate": _number(rule.rate),
            "unit": unit,
            "scope": rule.scope,
        }
    text = _("%(rate)s points for every %(unit)s you spend on products") % {
        "rate": _number(rule.rate),
        "unit": unit,
    }
    reasons = []
    if rule.tier_multiplier is not None:
        multiplier = _number(rule.tier_multiplier)
        reasons.append(_("×%(multiplier)s for your tier") % {"multiplier": multiplier})
    if rule.promotion is not None and rule.promotion != 1:
        multiplier = _number(rule.promotion)
        reasons.append(_("×%(multiplier)s promotion now") % {"multiplier": multiplier})
    if reasons:
        text = f"{text} ({', '.join(reasons)})"
    return text


def ways_to_earn(member, *, now: datetime) -> list[Way]:
    """The earning policy's rules in force, then the one-off bonuses not yet received."""
    ways = [Way(_rule_text(rule)) for rule in get_policy().earning_rules(member, now=now)]
    days = app_settings.POINTS_PENDING_DAYS
    if ways and days:
        ways.append(
            Way(
                ngettext(
                    "Points from an order become spendable %(days)s day after it.",
                    "Points from an order become spendable %(days)s days after it.",
                    days,
                )
                % {"days": days}
            )
        )
    bonuses = app_settings.POINTS_BONUSES
    once = [kind for kind in ("profile", "newsletter") if bonuses.get(kind)]
    received = bonuses_received(member, once, now=now)
    if bonuses.get("birthday"):
        ways.append(
            Way(
                _("%(points)s points on your birthday") % {"points": bonuses["birthday"]},
                *(() if member.birthday else (reverse("loyalty:profile"), _("Add your birthday"))),
            )
        )
    if "profile" in once and "profile" not in received:
        ways.append(
            Way(
                _("%(points)s points for completing your club profile")
                % {"points": bonuses["profile"]},
                reverse("loyalty:profile"),
                _("Complete your profile"),
            )
        )
    if "newsletter" in once and "newsletter" not in received:
        ways.append(
            Way(
                _("%(points)s points for confirming the newsletter")
                % {"points": bonuses["newsletter"]},
                _preferences_url(),
                _("Choose your newsletters"),
            )
        )
    return ways


def _preferences_url() -> str:
    try:
        return reverse("loyalty:preferences")
    except NoReverseMatch:  # the consent pages are not mounted
        return ""
