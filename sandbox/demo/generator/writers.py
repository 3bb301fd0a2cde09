"""The generator's bulk writes: one method per kind of row, for a batch of simulations.

``BatchWriter`` is a mixin of ``generator.Generator``, which holds the
world the rows refer to (plans, tiers, products, campaigns) and calls these
methods inside one transaction per batch.
"""

from __future__ import annotations

from datetime import timedelta

from oscar.core.loading import get_model

from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
from oscar_loyalty.apps.membership.models import TierChange
from oscar_loyalty.apps.points.models import (
    PointsEarning,
    PointsEarningLine,
    PointsEntry,
    PointsLot,
    PointsLotUse,
    PointsRedemption,
)
from oscar_loyalty.apps.referrals.models import Referral, ReferralCode, ReferralVisit
from oscar_loyalty.bulk import insert, new

from . import sample_data as data
from .simulation import CANCELLED

Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderDiscount = get_model("order", "OrderDiscount")
UserAddress = get_model("address", "UserAddress")


class BatchWriter:
    def write_addresses(self, sims) -> None:
        """Each member's address book entry (Faker's street and postcode, the member's city)."""
        addresses = []
        for sim in sims:
            address = new(
                UserAddress,
                user_id=sim.member.user_id,
                first_name=sim.user.first_name,
                last_name=sim.user.last_name,
                line1=sim.street,
                line4=sim.member.city,
                postcode=sim.postcode,
                country=self.country,
                is_default_for_shipping=True,
                is_default_for_billing=True,
                date_created=sim.member.joined_at,
            )
            address.hash = address.generate_hash()  # what save() would store
            addresses.append(address)
        insert(UserAddress, addresses, with_pks=False)

    def write_orders(self, sims) -> None:
        orders = [order for sim in sims for order in sim.orders]
        for order in orders:
            order.user_id = order.sim_user.user_id
        insert(Order, orders)
        for order in orders:
            for line in order.sim_lines:
                line.order_id = order.pk
        insert(Line, [line for order in orders for line in order.sim_lines])
        if self.channel_model is not None:
            insert(
                self.channel_model,
                [
                    new(
                        self.channel_model,
                        order=order,
                        channel=order.sim_channel,
                        created_at=order.date_placed,
                    )
                    for order in orders
                ],
            )
        self.stats.orders += len(orders)
        self.stats.lines += sum(len(order.sim_lines) for order in orders)

    def write_points(self, sims, accounts) -> None:
        entries, earnings, redemptions = [], [], []
        for sim, account in zip(sims, accounts, strict=True):
            for entry in sim.entries:
                entry.account_id = account.pk
                if entry.sim_order is not None:
                    entry.order_id = entry.sim_order.pk
                entries.append(entry)
            for earning in sim.earnings:
                earning.account_id = account.pk
                earning.order_id = earning.sim_order.pk
                earnings.append(earning)
            for redemption in sim.redemptions:
                redemption.account_id = account.pk
                redemption.order_id = redemption.sim_order.pk
                redemptions.append(redemption)
        insert(PointsEntry, entries)
        insert(PointsEarning, earnings)
        # The quote's lines, as checkout records them: a refund is reversed at their rates.
        insert(
            PointsEarningLine,
            [
                new(
                    PointsEarningLine,
                    earning_id=earning.pk,
                    line_id=quoted.line.pk if quoted.line is not None else None,
                    quantity=quoted.quantity,
                    amount=quoted.amount,
                    rate=quoted.rate,
                    points=quoted.points,
                )
                for earning in earnings
                for quoted in earning.sim_quote.lines
                if quoted.points > 0
            ],
            with_pks=False,
        )
        for redemption in redemptions:
            redemption.captured_entry_id = redemption.sim_entry.pk
        insert(PointsRedemption, redemptions)
        # The money side of each redemption, as a real checkout records it: the
        # points offer's discount on the order (loyalty_verify_points reconciles them).
        if redemptions:
            from oscar_loyalty.apps.points.benefits import ensure_points_offer
            from oscar_loyalty.money import points_to_money

            offer = ensure_points_offer()
            insert(
                OrderDiscount,
                [
                    new(
                        OrderDiscount,
                        order_id=redemption.order_id,
                        offer_id=offer.pk,
                        offer_name=offer.name,
                        amount=points_to_money(redemption.captured_points),
                        message=f"{redemption.captured_points} club points spent",
                    )
                    for redemption in redemptions
                ],
                with_pks=False,
            )
        lots = []
        for sim, account in zip(sims, accounts, strict=True):
            for lot in sim.lots:
                lot.account_id = account.pk
                lot.entry_id = lot.sim_entry.pk
                lots.append(lot)
        insert(PointsLot, lots)
        insert(
            PointsLotUse,
            [
                new(PointsLotUse, entry_id=entry.pk, lot_id=lot.pk, points=points)
                for sim in sims
                for entry, lot, points in sim.uses
            ],
        )
        self.stats.entries += len(entries)

    def write_tiers(self, sims) -> None:
        for sim in sims:
            for change in sim.tier_changes:
                change.member_id = sim.member.pk
        insert(TierChange, [change for sim in sims for change in sim.tier_changes])

    def write_referrals(self, rng, sims) -> None:
        codes = [
            new(
                ReferralCode,
                member_id=sim.member.pk,
                code=f"G{sim.seq:08d}{self.seed % 1000:03d}",
                created_at=sim.member.joined_at,
            )
            for sim in sims
            if sim.has_code
        ]
        insert(ReferralCode, codes)
        by_member = {code.member_id: code.pk for code in codes}
        for sim in sims:
            if sim.has_code:
                sim.code_pk = by_member[sim.member.pk]
                # Referrers come from this batch too: a sandbox generated in one
                # batch (a few thousand members) has referrals as well.
                self.codes.append((sim.code_pk, sim.member.pk, sim.member.joined_at))
        referrals, visits = [], []
        for sim in sims:
            if not sim.referred or not self.codes:
                continue
            code_pk, referrer, referrer_joined = self.codes[rng.randrange(len(self.codes))]
            joined = sim.member.joined_at
            if referrer_joined >= joined:  # only a member who joined earlier refers
                continue
            first = next((o for o in sim.orders), None)
            status, qualified, rewarded = Referral.LINKED, None, None
            if first is not None:
                qualified = first.date_placed
                if first.status == CANCELLED:
                    status = Referral.REVERSED
                elif first.date_placed < self.now - timedelta(days=30):
                    status, rewarded = Referral.REWARDED, first.date_placed + timedelta(days=30)
                else:
                    status = Referral.PENDING
            referrals.append(
                new(
                    Referral,
                    code_id=code_pk,
                    referrer_id=referrer,
                    referee_id=sim.member.user_id,
                    status=status,
                    source=rng.choice(("link", "link", "registration", "checkout")),
                    first_order_id=first.pk if first is not None else None,
                    qualified_at=qualified,
                    rewarded_at=rewarded,
                    reversed_at=qualified if status == Referral.REVERSED else None,
                    created_at=joined,
                )
            )
            for n in range(rng.randint(1, 4)):
                visits.append(
                    new(
                        ReferralVisit,
                        code_id=code_pk,
                        created_at=joined - timedelta(hours=n * 7 + 1),
                    )
                )
        # Visits that did not convert.
        for code_pk, _member, _joined in rng.sample(
            list(self.codes), min(len(self.codes), len(sims) // 20)
        ):
            when = self.start + timedelta(
                seconds=rng.randrange(int((self.now - self.start).total_seconds()))
            )
            visits.append(new(ReferralVisit, code_id=code_pk, created_at=when))
        insert(Referral, referrals)
        insert(ReferralVisit, visits)
        self.stats.referrals += len(referrals)

    def write_touches(self, sims) -> None:
        if self.first_touch is None:
            return
        insert(
            self.first_touch,
            [
                new(
                    self.first_touch,
                    visitor_id=f"{sim.seq:016x}{self.seed % 65536:04x}",
                    channel=sim.channel,
                    utm_source=data.UTM.get(sim.channel, ("", ""))[0],
                    utm_medium=data.UTM.get(sim.channel, ("", ""))[1],
                    created_at=sim.member.joined_at - timedelta(minutes=sim.touch_minutes),
                    member_id=sim.member.pk,
                    linked_at=sim.member.joined_at,
                )
                for sim in sims
            ],
        )

    def consent_record(self, sim, action, source, when, **extra):
        """One marketing e-mail consent record of ``sim``'s member, with today's wording."""
        return new(
            ConsentRecord,
            user_id=sim.member.user_id,
            purpose="marketing",
            channel="email",
            action=action,
            wording_version=self.wording.version,
            wording_text=self.wording.text,
            source=source,
            created_at=when,
            email_hash=sim.email_hash,
            **extra,
        )

    def write_consents(self, sims) -> None:
        messages = []
        if self.newsletter:
            from oscar_loyalty.apps.newsletter.models import OutboxMessage

            for sim in sims:
                for campaign, sent_at, status in sim.deliveries:
                    messages.append(
                        new(
                            OutboxMessage,
                            campaign_id=campaign,
                            user_id=sim.member.user_id,
                            email_hash=sim.email_hash,
                            language=sim.member.language,
                            status=status,
                            esp_message_id=f"gen-{campaign}-{sim.member.user_id}",
                            sent_at=sent_at,
                            attempts=1,
                            next_attempt_at=sent_at,
                        )
                    )
            for message, sim_events in _events(sims, messages):
                for kind, hours in sim_events:
                    # First open and first click, as the tracking webhook stamps them.
                    setattr(message, f"{kind}_at", message.sent_at + timedelta(hours=hours))
            insert(OutboxMessage, messages)
            self.stats.messages += len(messages)
        records, states = [], []
        by_user = {}
        for message in messages:
            by_user.setdefault(message.user_id, []).append(message)
        for sim in sims:
            if not sim.consent:
                continue
            grant = self.consent_record(
                sim, ConsentRecord.GRANT, ConsentRecord.SOURCE_JOIN, sim.member.joined_at
            )
            records.append(grant)
            sim.consent_records = [grant]
            if sim.unsubscribed and by_user.get(sim.member.user_id):
                last = by_user[sim.member.user_id][-1]
                withdraw = self.consent_record(
                    sim,
                    ConsentRecord.WITHDRAW,
                    ConsentRecord.SOURCE_ONE_CLICK,
                    last.sent_at + timedelta(hours=3),
                    evidence={"message": f"campaign:{last.campaign_id}/outbox:{last.pk}"},
                )
                records.append(withdraw)
                sim.consent_records.append(withdraw)
        insert(ConsentRecord, records)
        for sim in sims:
            if not sim.consent:
                continue
            last = sim.consent_records[-1]
            withdrawn = last.action == ConsentRecord.WITHDRAW
            states.append(
                new(
                    ConsentState,
                    user_id=sim.member.user_id,
                    purpose="marketing",
                    channel="email",
                    status=ConsentState.WITHDRAWN if withdrawn else ConsentState.GRANTED,
                    last_record_id=last.pk,
                    granted_at=sim.member.joined_at,
                    withdrawn_at=last.created_at if withdrawn else None,
                    updated_at=last.created_at,
                )
            )
        insert(ConsentState, states)


def _events(sims, messages):
    events = {}
    for sim in sims:
        for campaign, kinds in sim.events.items():
            events[(campaign, sim.member.user_id)] = kinds
    for message in messages:
        kinds = events.get((message.campaign_id, message.user_id))
        if kinds:
            yield message, kinds
