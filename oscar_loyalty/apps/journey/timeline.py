"""A member's timeline: every recorded event about them, merged in date order.

Each source is one query (with ``select_related``), so the page costs the
same number of queries for a member with five events or five thousand; each
source shows its newest ``LIMIT`` events. Sources of optional apps (points,
referrals, newsletter) are read only when the app is installed, and the
newsletter's models (which import Wagtail) are imported only then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from oscar_loyalty.money import format_money
from oscar_loyalty.reasons import describe

from .models import FirstTouch, OrderChannel

LIMIT = 200


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # a CSS-friendly key: touch, join, term, order, points, email, ...
    title: str
    detail: str = ""
    url: str = ""


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _first_touch(member) -> list[Event]:
    touch = FirstTouch.objects.filter(member=member).first()
    if touch is None:
        return []
    parts = [
        f"{label}: {value}"
        for label, value in (
            (_("source"), touch.utm_source),
            (_("medium"), touch.utm_medium),
            (_("campaign"), touch.utm_campaign),
            (_("referring site"), touch.referrer_host),
            (_("referral code"), touch.referral_code),
            (_("landing page"), touch.landing_page),
        )
        if value
    ]
    return [
        Event(
            touch.created_at,
            "touch",
            _("First visit (%(channel)s)") % {"channel": touch.get_channel_display()},
            "; ".join(parts),
        )
    ]


def _terms(member) -> list[Event]:
    events = []
    for term in member.terms.select_related("plan", "order").order_by("-created_at")[:LIMIT]:
        title = _("Membership: %(plan)s") % {"plan": term.plan.display_name}
        if term.status != term.ACTIVE:
            title += " " + _("(reversed)")
        until = term.ends_at.date().isoformat() if term.ends_at else _("no end")
        detail = _("until %(until)s") % {"until": until}
        if term.order_id:
            detail += " · " + _("order %(number)s") % {"number": term.order.number}
        events.append(Event(term.created_at, "term", title, detail))
    return events


def _orders(member) -> list[Event]:
    if member.user_id is None:
        return []
    Order = get_model("order", "Order")
    orders = (
        Order.objects.filter(user_id=member.user_id)
        .select_related("loyalty_channel")
        .order_by("-date_placed")[:LIMIT]
    )
    labels = dict(OrderChannel.CHANNEL_CHOICES)
    events = []
    for order in orders:
        channel = getattr(order, "loyalty_channel", None)
        channel_label = labels[channel.channel] if channel else labels[OrderChannel.WEB]
        events.append(
            Event(
                order.date_placed,
                "order",
                _("Order %(number)s: %(total)s")
                % {
                    "number": order.number,
                    "total": format_money(order.total_incl_tax, order.currency),
                },
                _("%(channel)s · %(status)s") % {"channel": channel_label, "status": order.status},
                _url("dashboard:order-detail", number=order.number),
            )
        )
    return events


def _points(member) -> list[Event]:
    if not apps.is_installed("oscar_loyalty.apps.points"):
        return []
    PointsEntry = apps.get_model("loyalty_points", "PointsEntry")
    PointsRedemption = apps.get_model("loyalty_points", "PointsRedemption")
    events = []
    # Spending is shown once, as the redemption below, not again as its ledger entry.
    entries = (
        PointsEntry.objects.filter(account__member=member)
        .exclude(kind=PointsEntry.REDEEM)
        .order_by("-created_at")[:LIMIT]
    )
    for entry in entries:
        events.append(
            Event(
                entry.created_at,
                "points",
                _("%(kind)s: %(points)+d points")
                % {"kind": entry.get_kind_display(), "points": entry.points},
                describe(entry.reason),
            )
        )
    redemptions = (
        PointsRedemption.objects.filter(account__member=member, status=PointsRedemption.CAPTURED)
        .select_related("order")
        .order_by("-created_at")[:LIMIT]
    )
    for redemption in redemptions:
        events.append(
            Event(
                redemption.created_at,
                "redemption",
                _("Redeemed %(points)d points") % {"points": redemption.captured_points},
                _("order %(number)s") % {"number": redemption.order.number}
                if redemption.order
                else "",
            )
        )
    return events


def _tiers(member) -> list[Event]:
    changes = member.tier_changes.select_related("from_tier", "to_tier").order_by("-created_at")
    return [
        Event(
            change.created_at,
            "tier",
            _("Tier: %(from)s → %(to)s")
            % {
                "from": change.from_tier.display_name if change.from_tier else "—",
                "to": change.to_tier.display_name if change.to_tier else "—",
            },
            change.get_reason_display(),
        )
        for change in changes[:LIMIT]
    ]


def _referrals(member) -> list[Event]:
    if not apps.is_installed("oscar_loyalty.apps.referrals"):
        return []
    Referral = apps.get_model("loyalty_referrals", "Referral")
    made = Referral.objects.filter(referrer=member).select_related("referee")
    events = [
        Event(
            referral.created_at,
            "referral",
            _("Referred %(email)s") % {"email": referral.referee.email},
            referral.get_status_display(),
        )
        for referral in made.order_by("-created_at")[:LIMIT]
    ]
    if member.user_id:
        received = (
            Referral.objects.filter(referee_id=member.user_id)
            .select_related("referrer__user")
            .first()
        )
        if received is not None:
            referrer = received.referrer.user.email if received.referrer.user else ""
            events.append(
                Event(
                    received.created_at,
                    "referral",
                    _("Referred by member %(number)s") % {"number": received.referrer.number},
                    referrer,
                )
            )
    return events


def _consents(member) -> list[Event]:
    if member.user_id is None:
        return []
    ConsentRecord = apps.get_model("loyalty_consent", "ConsentRecord")
    records = ConsentRecord.objects.filter(user_id=member.user_id).order_by("-created_at")
    return [
        Event(
            record.created_at,
            "consent",
            _("Consent %(action)s: %(channel)s")
            % {
                "action": record.get_action_display().lower(),
                "channel": record.get_channel_display(),
            },
            record.get_source_display(),
        )
        for record in records[:LIMIT]
    ]


def _emails(member) -> list[Event]:
    if member.user_id is None or not apps.is_installed("oscar_loyalty.apps.newsletter"):
        return []
    OutboxMessage = apps.get_model("loyalty_newsletter", "OutboxMessage")
    messages = (
        OutboxMessage.objects.filter(user_id=member.user_id, campaign__isnull=False)
        .exclude(sent_at=None)
        .select_related("campaign")
        .order_by("-sent_at")[:LIMIT]
    )
    events = []
    for message in messages:
        name = message.campaign.name
        events.append(Event(message.sent_at, "email", _("Email sent: %(name)s") % {"name": name}))
        if getattr(message, "opened_at", None):
            events.append(
                Event(message.opened_at, "email", _("Email opened: %(name)s") % {"name": name})
            )
        if getattr(message, "clicked_at", None):
            events.append(
                Event(message.clicked_at, "email", _("Email clicked: %(name)s") % {"name": name})
            )
    return events


SOURCES = [_first_touch, _terms, _orders, _points, _tiers, _referrals, _consents, _emails]


def member_timeline(member, *, newest_first: bool = False) -> list[Event]:
    """Every event about ``member``, oldest first (or newest first)."""
    events = [
        Event(
            member.joined_at,
            "join",
            _("Joined the club"),
            member.plan.name if member.plan_id else "",
        )
    ]
    for source in SOURCES:
        events.extend(source(member))
    events.sort(key=lambda e: e.at, reverse=newest_first)
    return events
