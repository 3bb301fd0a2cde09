"""One member's simulated life for the data generator (see ``generator``).

Decided in memory, in time order, as the real code would have written it:
profile, orders, tier history, the points ledger (earn, spend, expire, with
lots and lot uses) and newsletter deliveries. Nothing here writes to the
database; ``generator`` writes the objects in bulk. The store's rules are
asked, never copied: each order's points are the earning policy's quote for
the order's lines (at the tier the member had just reached with it, as the
order task recomputes the tier before quoting), prices and tax are the
strategy's.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.hashing import email_hash
from oscar_loyalty.apps.membership.models import Member, TierChange
from oscar_loyalty.apps.membership.numbers import luhn_check_digit
from oscar_loyalty.apps.points.models import (
    PointsEarning,
    PointsEntry,
    PointsLot,
    PointsRedemption,
)
from oscar_loyalty.bulk import new

from . import sample_data as data

Order = get_model("order", "Order")
Line = get_model("order", "Line")

CENT = Decimal("0.01")
COMPLETE, CANCELLED = "Complete", "Cancelled"


def _weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[-1] for p in pairs])[0]


class Simulation:
    """One member's life, decided in memory: profile, orders, points, tiers, mail."""

    def __init__(self, gen, rng: random.Random, seq: int):
        self.gen, self.rng, self.seq = gen, rng, seq
        self.orders, self.entries, self.lots, self.uses = [], [], [], []
        self.earnings, self.redemptions, self.tier_changes = [], [], []
        self.deliveries, self.events = [], {}
        self.balance = self.pending = 0
        self.has_code = rng.random() < 0.3
        self.code_pk = None
        self.referred = rng.random() < 0.12
        self.consent = rng.random() < 0.6
        self.unsubscribed = rng.random() < 0.04
        self.touch_minutes = rng.randint(1, 60 * 24 * 20)

    def run(self) -> None:
        rng, gen = self.rng, self.gen
        span = (gen.now - gen.start).total_seconds()
        # Growth: more members joined recently (density rises over time).
        joined = gen.start + timedelta(seconds=int(span * rng.random() ** 0.6))
        self.profile(joined)
        self.channel = "referral" if self.referred else _weighted(rng, data.TOUCH_CHANNELS)
        self.make_orders(joined)
        self.make_tiers()
        self.make_points(joined)
        if self.consent and gen.campaigns:
            self.make_mail(joined)

    def profile(self, joined: datetime) -> None:
        rng, gen, seq = self.rng, self.gen, self.seq
        hebrew = rng.random() < 0.85
        fake = gen.fake["he_IL" if hebrew else "en_US"]
        first, last = fake.first_name(), fake.last_name()
        language = "he" if hebrew else "en"
        # The address book's street and postcode; the city (with its region) is
        # drawn below from a weighted table, which Faker's cities have no region for.
        self.street, self.postcode = fake.street_address(), fake.postcode()
        email = f"{gen.fake['en_US'].user_name()}.{seq}@example.com".lower()
        self.email_hash = email_hash(email)
        User = get_user_model()
        # Any password starting with "!" is unusable (Django's UNUSABLE_PASSWORD_PREFIX);
        # set_unusable_password() would draw 40 random characters per member.
        user = new(User, email=email, first_name=first, last_name=last, password=f"!gen{seq}")
        if hasattr(user, "username"):
            user.username = f"gen{seq}"[:150]
        if hasattr(user, "date_joined"):
            user.date_joined = joined - timedelta(minutes=rng.randint(0, 30))
        self.user = user
        city, region, _weight = rng.choices(data.CITIES, weights=[c[2] for c in data.CITIES])[0]
        business = rng.random() < 0.08
        length = app_settings.MEMBER_NUMBER_LENGTH
        payload = "7" + f"{seq:0{length - 2}d}"[-(length - 2) :]
        status = Member.ACTIVE
        roll = rng.random()
        if roll < 0.03:
            status = Member.EXPIRED
        elif roll < 0.05:
            status = Member.CANCELLED
        self.member = new(
            Member,
            number=payload + luhn_check_digit(payload),
            plan_id=gen.plan.pk,
            status=status,
            joined_at=joined,
            birthday=(joined - timedelta(days=rng.randint(18 * 365, 75 * 365))).date(),
            city=city,
            region=region,
            customer_type=Member.BUSINESS if business else Member.PRIVATE,
            business_name=f"{last} {rng.choice(data.BUSINESS_SUFFIXES)}" if business else "",
            language=language,
            preferred_channels=rng.sample(["email", "sms", "whatsapp"], rng.randint(1, 2)),
            tier_computed_at=gen.now,
        )
        self.interests = (
            rng.sample(gen.categories, min(len(gen.categories), rng.randint(0, 3)))
            if gen.categories
            else []
        )

    def make_orders(self, joined: datetime) -> None:
        rng, gen = self.rng, self.gen
        mean = gen.orders_per_member
        count = int(rng.expovariate(1 / mean) + 0.5) if mean > 0 else 0
        seconds = int((gen.now - joined).total_seconds())
        if seconds <= 3600:
            count = 0
        times = sorted(
            joined + timedelta(seconds=rng.randrange(60, seconds)) for _ in range(count)
        )
        for n, placed in enumerate(times):
            lines, total = [], Decimal("0.00")
            total_excl = Decimal("0.00")
            for _l in range(rng.choice((1, 1, 1, 2, 2, 3))):
                priced = rng.choice(gen.products)
                stockrecord = priced.stockrecord
                quantity = rng.choice((1, 1, 1, 2))
                incl = (priced.incl_tax * quantity).quantize(CENT)
                excl = (priced.excl_tax * quantity).quantize(CENT)
                total += incl
                total_excl += excl
                lines.append(
                    new(
                        Line,
                        partner_id=stockrecord.partner_id,
                        partner_name=stockrecord.partner.name,
                        partner_sku=stockrecord.partner_sku,
                        stockrecord_id=stockrecord.pk,
                        product=stockrecord.product,
                        title=stockrecord.product.title,
                        upc=stockrecord.product.upc or "",
                        quantity=quantity,
                        line_price_incl_tax=incl,
                        line_price_excl_tax=excl,
                        line_price_before_discounts_incl_tax=incl,
                        line_price_before_discounts_excl_tax=excl,
                        unit_price_incl_tax=priced.incl_tax,
                        unit_price_excl_tax=priced.excl_tax,
                        status="",
                        num_allocated=0,
                    )
                )
            order = new(
                Order,
                number=f"G{self.seq:08d}{n:03d}",
                currency="ILS",
                total_incl_tax=total,
                total_excl_tax=total_excl,
                shipping_incl_tax=Decimal("0.00"),
                shipping_excl_tax=Decimal("0.00"),
                status=CANCELLED if rng.random() < 0.04 else COMPLETE,
                date_placed=placed,
                guest_email="",
            )
            order.sim_user = self.member
            order.sim_lines = lines
            order.sim_channel = rng.choices(("web", "in_store", "api"), weights=(70, 25, 5))[0]
            self.orders.append(order)

    def make_points(self, joined: datetime) -> None:
        """Replay earning, spending and expiry in time order, as the ledger would have."""
        rng, gen = self.rng, self.gen
        pending_days = app_settings.POINTS_PENDING_DAYS
        events = []
        if rng.random() < 0.5:
            events.append((joined, "bonus", 100, None))
        for order in self.orders:
            if order.status == CANCELLED:
                continue
            quote = self.quote(order)
            points = quote.points
            if points <= 0:  # the policy gives nothing: no earning, as at checkout
                continue
            if rng.random() < 0.25:
                events.append((order.date_placed, "redeem", None, order))
            matures = order.date_placed + timedelta(days=pending_days)
            if matures > gen.now:
                self.earnings.append(
                    new(
                        PointsEarning,
                        points=points,
                        status=PointsEarning.PENDING,
                        matures_at=matures,
                        created_at=order.date_placed,
                    )
                )
                self.earnings[-1].sim_order = order
                self.earnings[-1].sim_quote = quote
                self.pending += points
            else:
                events.append((matures, "earn", quote, order))
        events.sort(key=lambda event: (event[0], event[1]))
        open_lots: list[PointsLot] = []
        for when, kind, points, order in events:
            self.expire(open_lots, until=when)
            if kind in ("earn", "bonus"):
                self.credit(open_lots, when, kind, points, order)
            elif self.balance >= 200:
                spend = min(self.balance, rng.randint(2, 30) * 50)
                entry = self.entry(
                    PointsEntry.REDEEM, -spend, "Points spent on an order", when, order
                )
                self.take(open_lots, entry, spend)
                redemption = new(
                    PointsRedemption,
                    points=spend,
                    status=PointsRedemption.CAPTURED,
                    expires_at=when,
                    captured_points=spend,
                    created_at=when,
                )
                redemption.sim_order, redemption.sim_entry = order, entry
                self.redemptions.append(redemption)
        self.expire(open_lots, until=gen.now)

    def quote(self, order):
        """The store's earning policy's quote for ``order``, as the order task would ask it.

        The member is the one being simulated, at the tier it reached with this
        order, carrying the promotions that ran when the order was placed (the
        policy reads them from the member as from a request's club context,
        so no query per order).
        """
        gen, member = self.gen, self.member
        final_tier = member.tier
        member.tier = order.sim_tier
        placed = order.date_placed
        running = [
            multiplier
            for starts, ends, multiplier in gen.promotions
            if starts <= placed and (ends is None or ends > placed)
        ]
        member._loyalty_promotion = (max(running, default=None), placed)
        try:
            return gen.policy.quote_order(_Unwritten(order), member, now=placed)
        finally:
            member.tier = final_tier
            del member._loyalty_promotion

    def entry(self, kind, points, reason, when, order=None, rate=None) -> PointsEntry:
        entry = new(
            PointsEntry,
            kind=kind,
            points=points,
            reason=reason,
            idempotency_key=f"gen:{self.gen.seed}:{self.seq}:{len(self.entries)}",
            created_at=when,
            rate=rate,
        )
        entry.sim_order = order
        self.entries.append(entry)
        self.balance += points
        return entry

    def credit(self, open_lots, when, kind, points_or_quote, order) -> None:
        quote = points_or_quote if kind == "earn" else None
        points = quote.points if quote is not None else points_or_quote
        if points <= 0:
            return
        # The entry's rate as maturing records it: points per unit of the earning lines' amount.
        amount = sum((q.amount for q in quote.lines if q.points > 0), Decimal(0)) if quote else 0
        rate = (Decimal(points) / amount).quantize(Decimal("0.0001")) if amount else None
        reason = f"Order {order.number}" if kind == "earn" else "Welcome bonus"
        entry = self.entry(kind, points, reason, when, order, rate)
        expires = _expiry(when)
        if order is not None:
            earning = new(
                PointsEarning,
                points=points,
                status=PointsEarning.MATURED,
                matures_at=when,
                matured_at=when,
                created_at=order.date_placed,
            )
            earning.sim_order, earning.sim_quote = order, quote
            self.earnings.append(earning)
        lot = new(PointsLot, points=points, remaining=points, expires_at=expires, created_at=when)
        lot.sim_entry = entry
        self.lots.append(lot)
        open_lots.append(lot)
        open_lots.sort(key=lambda lot: (lot.expires_at, lot.created_at))

    def take(self, open_lots, entry, points) -> None:
        for lot in open_lots:
            if points == 0:
                break
            used = min(lot.remaining, points)
            if used:
                lot.remaining -= used
                points -= used
                self.uses.append((entry, lot, used))
        open_lots[:] = [lot for lot in open_lots if lot.remaining]

    def expire(self, open_lots, *, until) -> None:
        for lot in list(open_lots):
            if lot.expires_at <= until and lot.remaining:
                entry = self.entry(
                    PointsEntry.EXPIRE, -lot.remaining, "Points expired", lot.expires_at
                )
                self.uses.append((entry, lot, lot.remaining))
                lot.remaining = 0
        open_lots[:] = [lot for lot in open_lots if lot.remaining]

    def make_tiers(self) -> None:
        """Tier by spend over the rolling window, at each order and once more today."""
        gen, window = self.gen, timedelta(days=30 * app_settings.TIER_WINDOW_MONTHS)
        current, spend = None, Decimal("0.00")
        paid = [order for order in self.orders if order.status != CANCELLED]
        # Joining puts the member in the tier that needs no spend (if there is one).
        checkpoints = [(self.member.joined_at, TierChange.REASON_JOIN, None)]
        checkpoints += [(order.date_placed, TierChange.REASON_ORDER, order) for order in paid]
        checkpoints.append((gen.now, TierChange.REASON_DAILY, None))
        for when, reason, order in checkpoints:
            spend = sum(
                (o.total_incl_tax for o in paid if when - window < o.date_placed <= when),
                Decimal("0.00"),
            )
            tier = None
            for candidate in gen.tiers:
                if candidate.qualifying_spend <= spend:
                    tier = candidate
            if tier != current:
                change = new(
                    TierChange,
                    from_tier=current,
                    to_tier=tier,
                    qualifying_spend=spend,
                    reason=reason,
                    created_at=when,
                )
                self.tier_changes.append(change)
                current = tier
            if order is not None:
                order.sim_tier = current  # the tier the order's points are quoted at
        self.member.tier = current
        self.member.qualifying_spend = spend

    def make_mail(self, joined: datetime) -> None:
        rng = self.rng
        for campaign, sent_at in self.gen.campaigns:
            if sent_at <= joined or rng.random() > 0.1:
                continue
            bounced = rng.random() < 0.02
            self.deliveries.append((campaign, sent_at, "bounced" if bounced else "sent"))
            kinds = []
            if not bounced and rng.random() < 0.35:
                kinds.append(("opened", rng.randint(1, 48)))
                if rng.random() < 0.3:
                    kinds.append(("clicked", 49))
            self.events[campaign] = kinds


class _Lines(list):
    """An unwritten order's lines, answering what a policy asks of ``order.lines``."""

    def select_related(self, *fields):
        return self

    def all(self):
        return self


class _Unwritten:
    """An order not written yet, as the earning policy reads one: its own lines."""

    def __init__(self, order):
        self._order = order
        self.lines = _Lines(order.sim_lines)

    def __getattr__(self, name):
        return getattr(self._order, name)


def _expiry(when: datetime) -> datetime:
    """When points credited at ``when`` expire: the store's rule, or 12 months."""
    from oscar_loyalty.apps.points.ledger import expiry_for

    with timezone.override(timezone.get_current_timezone()):
        expires = expiry_for(when)
    return expires or when + timedelta(days=365)
