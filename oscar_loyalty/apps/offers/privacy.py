"""The offers app's part of a data export and an erasure (see ``apps.privacy``).

Gifts and draw records hold no personal data beyond the member number,
which stays as the key of the ledger; a draw's stored entries must stay
unchanged so anyone can re-run it. Erasure ends the gift vouchers that were
not used yet: nobody can use them any more.
"""

from __future__ import annotations

from django.utils import timezone

from oscar_loyalty.apps.privacy import registry
from oscar_loyalty.apps.privacy.serialise import row

from .models import DrawWinner, MemberGift, PrizeDraw


def export_offers(subject) -> dict | None:
    member = subject.member
    if member is None:
        return None
    gifts = []
    for gift in MemberGift.objects.filter(member=member).select_related("voucher"):
        data = row(gift)
        voucher = gift.voucher
        data["voucher"] = (
            {
                "code": voucher.code,
                "name": voucher.name,
                "start": voucher.start_datetime,
                "end": voucher.end_datetime,
                "used": voucher.num_orders,
            }
            if voucher
            else None
        )
        gifts.append(data)
    draw_entries = []
    for draw in PrizeDraw.objects.exclude(entries=[]).only("pk", "name", "drawn_at", "entries"):
        for entry in draw.entries:
            if entry.get("member_id") == member.pk:
                draw_entries.append(
                    {"draw": draw.name, "drawn_at": draw.drawn_at, "tickets": entry.get("tickets")}
                )
    return {
        "gifts": gifts,
        "draw_entries": draw_entries,
        "draws_won": [
            {"draw": winner.draw.name, "prize": winner.draw.prize, "position": winner.position}
            for winner in DrawWinner.objects.filter(member=member).select_related("draw")
        ],
    }


def erase_offers(subject) -> int:
    if subject.member is None:
        return 0
    from oscar.core.loading import get_model

    Voucher = get_model("voucher", "Voucher")
    now = timezone.now()
    unused = MemberGift.objects.filter(member=subject.member, voucher__num_orders=0).values(
        "voucher_id"
    )
    return Voucher.objects.filter(pk__in=unused, end_datetime__gt=now).update(end_datetime=now)


registry.register_section("offers", exporter=export_offers, eraser=erase_offers)
