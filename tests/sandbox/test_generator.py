"""The sandbox data generator: deterministic, and true to the store's own rules."""

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from oscar.apps.partner.strategy import UK
from oscar.core.loading import get_class, get_model

from oscar_loyalty.apps.membership.models import Member, TierChange
from oscar_loyalty.apps.points.models import (
    PointsAccount,
    PointsEarning,
    PointsEntry,
    PointsPromotion,
)
from oscar_loyalty.apps.points.policies import get_policy
from oscar_loyalty.apps.points.verification import verify_balances
from oscar_loyalty.apps.reports.registry import Period, all_reports
from sandbox.demo.generator import generate
from tests.factories import TierFactory

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Line = get_model("order", "Line")
UserAddress = get_model("address", "UserAddress")
NOW = timezone.make_aware(datetime(2026, 6, 1, 12))


def digest() -> str:
    rows = [
        *Member.objects.order_by("number").values_list(
            "number", "joined_at", "city", "tier__code", "qualifying_spend", "user__first_name"
        ),
        *Order.objects.order_by("number").values_list("number", "total_incl_tax", "status"),
        *PointsEntry.objects.order_by("idempotency_key").values_list(
            "idempotency_key", "kind", "points", "created_at"
        ),
        *UserAddress.objects.order_by("line1", "postcode").values_list("line1", "postcode"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


class Rollback(Exception):
    pass


def generated_digest(**options) -> str:
    try:
        with transaction.atomic():
            generate(**options)
            result = digest()
            raise Rollback
    except Rollback:
        return result


def test_the_generator_is_deterministic_with_a_seed(free_plan):
    one = generated_digest(members=25, seed=7, batch=10, now=NOW)
    two = generated_digest(members=25, seed=7, batch=10, now=NOW)
    other = generated_digest(members=25, seed=8, batch=10, now=NOW)
    assert one == two
    assert one != other


def test_generated_data_keeps_the_ledger_invariants_and_counts_match(free_plan):
    stats = generate(members=60, orders_per_member=3, seed=3, batch=25, now=NOW)
    assert Member.objects.count() == 60 == stats.members
    assert Order.objects.count() == stats.orders > 60
    assert PointsEntry.objects.count() == stats.entries
    assert PointsAccount.objects.count() == 60
    assert verify_balances() == []
    kinds = set(PointsEntry.objects.values_list("kind", flat=True))
    assert {"earn", "redeem", "expire"} <= kinds
    call_command("loyalty_verify_points")


def tier_at(member, when):
    """The tier the member's history says it held at ``when`` (changes at ``when`` included)."""
    change = (
        TierChange.objects.filter(member=member, created_at__lte=when)
        .order_by("-created_at", "-pk")
        .first()
    )
    return change.to_tier if change else None


def test_each_order_earns_what_the_stores_earning_policy_quotes_for_it(free_plan):
    # Tier multipliers and a promotion that covers part of the history: a
    # generator with its own "amount x points per unit" rule gets these wrong.
    TierFactory(name="Silver", code="silver", qualifying_spend=D("0"))
    TierFactory(name="Gold", code="gold", qualifying_spend=D("600"), points_multiplier=D("1.5"))
    TierFactory(name="Top", code="top", qualifying_spend=D("2000"), points_multiplier=D("2"))
    PointsPromotion.objects.create(
        name="Double points",
        multiplier=D("2"),
        starts_at=NOW - timedelta(days=200),
        ends_at=NOW - timedelta(days=100),
    )
    generate(members=40, orders_per_member=4, seed=11, batch=40, years=1, now=NOW)
    earnings = list(PointsEarning.objects.select_related("order", "account__member"))
    assert len(earnings) > 40
    policy = get_policy()
    multipliers = set()
    for earning in earnings:
        member, order = earning.account.member, earning.order
        member.tier = tier_at(member, order.date_placed)
        quote = policy.quote_order(order, member, now=order.date_placed)
        assert earning.points == quote.points > 0, order.number
        assert sorted(earning.lines.values_list("line_id", "points")) == sorted(
            (q.line.pk, q.points) for q in quote.lines
        )
        multipliers |= {q.rate for q in quote.lines}
    # The tiers and the promotion really were in play.
    assert len(multipliers) >= 3


def test_prices_and_tax_come_from_the_stores_strategy(free_plan, monkeypatch):
    # A store whose strategy adds 20% VAT (Oscar's UK strategy): the orders carry it.
    Selector = get_class("partner.strategy", "Selector")
    monkeypatch.setattr(Selector, "strategy", lambda self, request=None, user=None, **kw: UK())
    generate(members=10, orders_per_member=3, seed=5, batch=10, years=1, now=NOW)
    lines = list(Line.objects.select_related("stockrecord"))
    assert lines
    for line in lines:
        assert line.unit_price_excl_tax == line.stockrecord.price
        assert line.unit_price_incl_tax == (line.stockrecord.price * D("1.2")).quantize(D("0.01"))
    for order in Order.objects.prefetch_related("lines"):
        assert order.total_excl_tax == sum(line.line_price_excl_tax for line in order.lines.all())
        assert order.total_incl_tax == sum(line.line_price_incl_tax for line in order.lines.all())


def test_names_and_addresses_are_hebrew_and_english_and_history_spans_the_years(free_plan):
    stats = generate(members=60, seed=2, batch=60, years=1, now=NOW)
    # One batch still has referrals: members refer those who joined after them.
    assert stats.referrals > 0
    names = list(Member.objects.values_list("user__first_name", flat=True))
    hebrew = [n for n in names if any("\u0590" <= ch <= "\u05ff" for ch in n)]
    assert 0 < len(hebrew) < len(names)
    assert UserAddress.objects.count() == 60
    assert not UserAddress.objects.filter(line1="").exists()
    earliest = Member.objects.order_by("joined_at").values_list("joined_at", flat=True).first()
    assert NOW - timedelta(days=366) <= earliest


def test_every_report_has_rows_on_generated_data(free_plan):
    generate(members=40, seed=5, batch=40, now=NOW)
    call_command("loyalty_refresh_report_figures", "--full")
    period = Period(date(2025, 6, 1), date(2026, 5, 31))
    # The generator makes members, orders, points, tiers, referrals and newsletters, not
    # the store's own rules for actions (tests/apps/actions checks that report's rows).
    not_generated = {"actions"}
    for report in all_reports():
        if report.key not in not_generated:
            assert report.rows(period), report.key


def test_the_command_generates_at_a_chosen_scale(free_plan, capsys):
    call_command("loyalty_generate_data", "--members", "5", "--years", "0.5", "--seed", "4")
    assert Member.objects.count() == 5
    assert "Generated 5 members" in capsys.readouterr().out


def test_a_generated_members_first_tier_gives_joining_as_its_reason(free_plan):
    TierFactory(name="Bronze", code="bronze", qualifying_spend=D("0.00"))
    generate(members=10, seed=5, batch=10, now=NOW)
    for member in Member.objects.all():
        first = TierChange.objects.filter(member=member).order_by("created_at", "pk").first()
        assert first is not None and first.reason == TierChange.REASON_JOIN
