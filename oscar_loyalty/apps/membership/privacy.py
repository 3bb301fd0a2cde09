"""The membership app's part of a data export and an erasure (see ``apps.privacy``).

Erasure keeps the member row (its number is the key of the points ledger and
of the reports) but blanks the profile, ends the membership and detaches it
from the account: the dashboard then shows the member as "Erased".
"""

from __future__ import annotations

from oscar_loyalty.apps.privacy import registry
from oscar_loyalty.apps.privacy.serialise import row, rows

from .models import Member

PROFILE_FIELDS = (
    "birthday",
    "birthday_changed_at",
    "preferred_channels",
    "notice_channel",
    "city",
    "region",
    "business_name",
    "budget_min",
    "budget_max",
    "language",
)


def export_membership(subject) -> dict | None:
    member = subject.member
    if member is None:
        return None
    data = row(member)
    data["plan"] = member.plan.name
    data["tier"] = member.tier.name if member.tier_id else None
    data["interests"] = list(member.interests.values_list("name", flat=True))
    data["terms"] = rows(member.terms.all())
    data["tier_changes"] = rows(member.tier_changes.all())
    return data


def erase_membership(subject) -> int:
    member = subject.member
    if member is None:
        return 0
    member.interests.clear()
    values = {
        "birthday": None,
        "birthday_changed_at": None,
        "preferred_channels": [],
        "notice_channel": Member.NOTICE_EMAIL,
        "city": "",
        "region": "",
        "customer_type": Member.PRIVATE,
        "business_name": "",
        "budget_min": None,
        "budget_max": None,
        "language": "",
        "user": None,
        "status": Member.CANCELLED,
    }
    return Member.objects.filter(pk=member.pk).update(**values)


registry.register_section(
    "membership", exporter=export_membership, eraser=erase_membership, order=900
)
