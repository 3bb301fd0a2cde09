"""The event types, and how each club signal becomes one (``EVENT_TYPES``, ``describe``).

Each type's payload is versioned: a change that could break a receiver gets a
new version (docs/webhooks.md, "Events").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from oscar_loyalty import signals

VERSION = 1

#: Type name -> its label for staff, in the order the dashboard lists them.
EVENT_TYPES: dict[str, str] = {
    "member.joined": _("Member joined"),
    "member.renewed": _("Membership renewed"),
    "member.left": _("Member left (membership reversed or expired)"),
    "member.tier_changed": _("Tier changed"),
    "points.earned": _("Points earned (pending)"),
    "points.matured": _("Points matured"),
    "points.spent": _("Points spent"),
    "points.reversed": _("Points reversed"),
    "points.expired": _("Points expired"),
    "consent.granted": _("Consent granted"),
    "consent.withdrawn": _("Consent withdrawn"),
    "referral.qualified": _("Referral qualified"),
    "referral.rewarded": _("Referral rewarded"),
    "order.points_settled": _("Order points settled"),
}


@dataclass(frozen=True)
class Described:
    type: str
    member_key: str
    data: dict


def _member(member) -> dict:
    return {"number": member.number, "customer_id": member.user_id}


def _key(user_id, member=None) -> str:
    """Events of one person share a key (their user), whichever app tells them."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"member:{member.pk}" if member is not None else ""


def _of(member, type_: str, data: dict) -> Described:
    return Described(type_, _key(member.user_id, member), {"member": _member(member), **data})


def _order(order) -> dict | None:
    return None if order is None else {"number": str(order.number)}


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _joined(member, source, **kwargs):
    return _of(member, "member.joined", {"source": source, "plan": member.plan.slug})


def _renewed(member, term, order, **kwargs):
    return _of(
        member,
        "member.renewed",
        {"plan": term.plan.slug, "order": _order(order), "expires_at": _when(member.expires_at)},
    )


def _reversed(member, term, order, **kwargs):
    # A reversed term leaves the member in the club when another term still runs
    # (an earlier paid one, or the free plan they fall back to): not a leaving.
    if member.status == member.ACTIVE:
        return None
    return _of(member, "member.left", {"reason": "reversed", "order": _order(order)})


def _expired(member, **kwargs):
    return _of(member, "member.left", {"reason": "expired"})


def _tier(member, change, **kwargs):
    return _of(
        member,
        "member.tier_changed",
        {
            "from_tier": change.from_tier.code if change.from_tier_id else None,
            "to_tier": change.to_tier.code if change.to_tier_id else None,
            "reason": change.reason,
        },
    )


def _consent(record, **kwargs):
    state_model = apps.get_model("loyalty_consent", "ConsentState")
    status = (
        state_model.objects.filter(user_id=record.user_id, purpose=record.purpose)
        .filter(channel=record.channel)
        .values_list("status", flat=True)
        .first()
    )
    if record.action == "grant" and status != "granted":
        return None  # double opt-in: told when the member confirms
    member_model = apps.get_model("loyalty_membership", "Member")
    member = member_model.objects.filter(user_id=record.user_id).first()
    data = {
        "member": _member(member) if member else None,
        "customer_id": record.user_id,
        "purpose": record.purpose,
        "channel": record.channel,
        "source": record.source,
    }
    kind = "consent.granted" if record.action == "grant" else "consent.withdrawn"
    return Described(kind, _key(record.user_id, member), data)


def _earned(member, earning, order, **kwargs):
    return _of(
        member,
        "points.earned",
        {
            "points": earning.points,
            "order": _order(order),
            "matures_at": _when(earning.matures_at),
        },
    )


def _matured(member, earning, entry, **kwargs):
    return _of(
        member,
        "points.matured",
        {"points": entry.points - entry.debt if entry else 0, "order": _order(earning.order)},
    )


def _spent(member, redemption, entry, order, **kwargs):
    return _of(
        member, "points.spent", {"points": -entry.points + entry.debt, "order": _order(order)}
    )


def _points_reversed(member, reversal, order, **kwargs):
    return _of(
        member,
        "points.reversed",
        {
            "earned_points_reversed": reversal.earned_points_reversed,
            "spent_points_returned": reversal.spent_points_returned,
            "order": _order(order),
            "key": reversal.key,
        },
    )


def _points_expired(member, entry, **kwargs):
    return _of(member, "points.expired", {"points": -entry.points})


def _referral(kind):
    def describe_referral(referral, **kwargs):
        referrer = referral.referrer
        data = {
            "referral": referral.pk,
            "status": referral.status,
            "friend_customer_id": referral.referee_id,
            "referrer_points": referral.referrer_points,
            "friend_points": referral.friend_points,
            "order": _order(referral.first_order),
        }
        return _of(referrer, kind, data)

    return describe_referral


def _settled(order, member, earned, spent, **kwargs):
    return _of(
        member, "order.points_settled", {"order": _order(order), "earned": earned, "spent": spent}
    )


DESCRIBERS = {
    signals.member_joined: _joined,
    signals.membership_renewed: _renewed,
    signals.membership_reversed: _reversed,
    signals.membership_expired: _expired,
    signals.tier_changed: _tier,
    signals.consent_changed: _consent,
    signals.points_earned: _earned,
    signals.points_matured: _matured,
    signals.points_spent: _spent,
    signals.points_reversed: _points_reversed,
    signals.points_expired: _points_expired,
    signals.referral_qualified: _referral("referral.qualified"),
    signals.referral_rewarded: _referral("referral.rewarded"),
    signals.order_points_settled: _settled,
}


def describe(signal, **arguments) -> Described | None:
    """The webhook event a club signal's arguments tell of (``None``: none)."""
    describer = DESCRIBERS.get(signal)
    return describer(**arguments) if describer is not None else None


def possible_types(signal) -> set[str]:
    """Cheap pre-check: which types ``signal`` may produce (for "anyone subscribed?")."""
    return SIGNAL_TYPES.get(signal, set())


SIGNAL_TYPES = {
    signals.member_joined: {"member.joined"},
    signals.membership_renewed: {"member.renewed"},
    signals.membership_reversed: {"member.left"},
    signals.membership_expired: {"member.left"},
    signals.tier_changed: {"member.tier_changed"},
    signals.consent_changed: {"consent.granted", "consent.withdrawn"},
    signals.points_earned: {"points.earned"},
    signals.points_matured: {"points.matured"},
    signals.points_spent: {"points.spent"},
    signals.points_reversed: {"points.reversed"},
    signals.points_expired: {"points.expired"},
    signals.referral_qualified: {"referral.qualified"},
    signals.referral_rewarded: {"referral.rewarded"},
    signals.order_points_settled: {"order.points_settled"},
}
