"""Prize draws that anyone can re-run from their record.

Running a draw stores the list of entries (member id, member number,
tickets; sorted by member number) and a random seed. Winners are picked by
``pick_winners``, a pure function of the two:

    for round r = 0, 1, ...:
        total  = sum of the tickets still in the list
        ticket = int(sha256(f"{seed}:{r}").hexdigest(), 16) % total
        walk the list adding up tickets; the entry holding ``ticket`` wins
        and leaves the list (so nobody wins the same draw twice)

Anyone with the seed and the entries (shown in the dashboard) can repeat
this in any language; ``verify_draw`` does it here.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oscar_loyalty.apps.consent.services import has_consent
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import DrawAlreadyRun, DrawNotReady
from oscar_loyalty.notices import send_member_notice
from oscar_loyalty.order_events import counted_orders

from .models import ZERO, DrawWinner, PrizeDraw

#: Other apps' entries: ``fn(draw, member_ids) -> {member_id: tickets}`` (the
#: challenges app: one ticket per challenge completed with this draw as its
#: reward). A registry, so the offers app imports none of them.
TICKET_SOURCES: list = []


def _extra_tickets(draw: PrizeDraw, member_ids: list[int]) -> dict[int, int]:
    extra: dict[int, int] = {}
    for source in TICKET_SOURCES:
        for member_id, tickets in source(draw, member_ids).items():
            extra[member_id] = extra.get(member_id, 0) + int(tickets)
    return extra


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _spend_by_user(draw: PrizeDraw, user_ids: list[int]) -> dict[int, Decimal]:
    orders = counted_orders().filter(user_id__in=user_ids)
    if draw.spend_from:
        orders = orders.filter(date_placed__gte=draw.spend_from)
    if draw.spend_until:
        orders = orders.filter(date_placed__lt=draw.spend_until)
    totals = orders.values("user_id").annotate(total=Sum("total_incl_tax"))
    return {row["user_id"]: row["total"] or ZERO for row in totals}


def eligible_entries(draw: PrizeDraw, *, now: datetime | None = None) -> list[dict]:
    """The entries the draw would have now, sorted by member number."""
    now = _now(now)
    members = Member.objects.filter(status=Member.ACTIVE, user__isnull=False)
    tier_ids = list(draw.tiers.values_list("pk", flat=True))
    if tier_ids:
        members = members.filter(tier_id__in=tier_ids)
    members = [m for m in members.select_related("user").order_by("number") if m.has_benefits(now)]
    user_ids = [m.user_id for m in members]
    spend = _spend_by_user(draw, user_ids)
    extra = _extra_tickets(draw, [m.pk for m in members]) if TICKET_SOURCES else {}
    entries = []
    for member in members:
        spent = spend.get(member.user_id, ZERO)
        won = extra.get(member.pk, 0)
        if spent < draw.min_spend and not won:
            continue
        if draw.requires_marketing_consent and not has_consent(
            member.user, purpose="marketing", channel="email"
        ):
            continue
        if spent < draw.min_spend:
            tickets = 0  # in only by the tickets won elsewhere
        elif draw.entry_mode == PrizeDraw.PER_SPEND:
            tickets = int((spent / draw.spend_per_entry).to_integral_value(rounding=ROUND_DOWN))
        else:
            tickets = 1
        tickets += won
        if tickets > 0:
            entries.append({"member_id": member.pk, "number": member.number, "tickets": tickets})
    return entries


def pick_winners(seed: str, entries: list[dict], count: int) -> list[int]:
    """Member ids of the winners, in order. Deterministic: same input, same winners."""
    remaining = [dict(entry) for entry in entries]
    winners: list[int] = []
    for round_ in range(count):
        total = sum(entry["tickets"] for entry in remaining)
        if total <= 0:
            break
        digest = hashlib.sha256(f"{seed}:{round_}".encode()).hexdigest()
        ticket = int(digest, 16) % total
        for index, entry in enumerate(remaining):
            if ticket < entry["tickets"]:
                winners.append(entry["member_id"])
                del remaining[index]
                break
            ticket -= entry["tickets"]
    return winners


def run_draw(draw: PrizeDraw, *, seed: str | None = None, now: datetime | None = None):
    """Draw the winners once; a second run raises ``DrawAlreadyRun`` and changes nothing."""
    now = _now(now)
    with transaction.atomic():
        draw = PrizeDraw.objects.select_for_update().get(pk=draw.pk)
        if draw.is_drawn:
            raise DrawAlreadyRun()
        entries = eligible_entries(draw, now=now)
        if not entries:
            raise DrawNotReady(_("No member is eligible for this draw; nothing was drawn."))
        draw.seed = seed or secrets.token_hex(32)
        draw.entries = entries
        draw.drawn_at = now
        draw.save(update_fields=["seed", "entries", "drawn_at"])
        winners = DrawWinner.objects.bulk_create(
            DrawWinner(draw=draw, member_id=member_id, position=position)
            for position, member_id in enumerate(
                pick_winners(draw.seed, entries, draw.winners_count), start=1
            )
        )
        transaction.on_commit(lambda: notify_winners(draw.pk))
    return draw, winners


def verify_draw(draw: PrizeDraw) -> bool:
    """Re-run the draw from its record; ``True`` if the recorded winners come out again."""
    if not draw.is_drawn:
        return False
    recorded = list(draw.winners.order_by("position").values_list("member_id", flat=True))
    return pick_winners(draw.seed, draw.entries, draw.winners_count) == recorded


def notify_winners(draw_pk: int) -> int:
    """Email each winner not yet told (a transactional message, not advertising)."""
    sent = 0
    winners = DrawWinner.objects.filter(draw_id=draw_pk, notified_at__isnull=True)
    for winner in winners.select_related("draw", "member__user"):
        if send_member_notice(
            winner.member,
            notice_type="draw_won",
            context={"winner": winner},
            key=f"draw_won:{winner.pk}",
        ):
            DrawWinner.objects.filter(pk=winner.pk).update(notified_at=timezone.now())
            sent += 1
    return sent
