from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from oscar_loyalty.apps.journey.models import FirstTouch
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.segments import services
from oscar_loyalty.apps.segments.models import MemberStats
from oscar_loyalty.apps.segments.rules import validate_rules
from oscar_loyalty.exceptions import InvalidSegmentRules
from tests.apps.segments.conftest import buy
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def selected(club, *conditions, op="and"):
    rules = validate_rules({"op": op, "rules": list(conditions)})
    members = set(services.members_in(rules))
    names = {name for name, member in club.items() if member in members}
    assert services.count_segment(rules) == len(members)
    return names


def rule(type_, **params):
    return {"type": type_, "params": params}


def test_city_matches_any_listed_city_whatever_the_case(club):
    assert selected(club, rule("city", cities="Tel Aviv")) == {
        "tlv_shoes",
        "tlv_old_shoes",
        "tlv_no_consent",
    }
    assert selected(club, rule("city", cities=["haifa", "TEL AVIV"])) == {
        "tlv_shoes",
        "tlv_old_shoes",
        "tlv_no_consent",
        "haifa_shoes",
    }


def test_region_customer_type_interests_and_tier(club, catalogue):
    assert selected(club, rule("region", regions=["tel-aviv"])) == {"tlv_shoes"}
    assert selected(club, rule("customer_type", customer_type="business")) == {"big_spender"}
    assert selected(club, rule("interests", categories=[catalogue["shoes"].pk])) == {"tlv_shoes"}
    gold = club["big_spender"].tier
    assert selected(club, rule("tier", tiers=[gold.pk])) == {"big_spender"}
    assert selected(club, rule("tier", no_tier=True)) == set(club) - {"big_spender"}


def test_bought_a_category_includes_sub_categories_and_variants_of_filed_parents(club, catalogue):
    shoes = rule("bought", categories=[catalogue["shoes"].pk], days=90)
    assert selected(club, shoes) == {"tlv_shoes", "tlv_no_consent", "haifa_shoes"}
    ever = rule("bought", categories=[catalogue["shoes"].pk])
    assert selected(club, ever) == {"tlv_shoes", "tlv_no_consent", "haifa_shoes", "tlv_old_shoes"}


def test_bought_a_parent_product_matches_its_variants_and_upcs_are_accepted(club, catalogue):
    assert selected(club, rule("bought", products="BOOTS")) == {"tlv_old_shoes", "tlv_no_consent"}
    assert selected(club, rule("bought", products=str(catalogue["cap"].pk))) == {
        "big_spender",
        "young",
    }


def test_spend_in_a_period_sums_order_totals_and_ignores_cancelled_orders(club):
    services.refresh_member_stats()
    # Precomputed windows (30/90/365 days, all time) and a live period give the same answer.
    for days in (30, 31):
        assert selected(club, rule("spend", min_amount="500", days=days)) == {"big_spender"}
    # No minimum: members who spent nothing at all match too.
    assert selected(club, rule("spend", max_amount="60")) == {"never_bought", "young"}
    assert selected(club, rule("spend", max_amount="60", days=400)) == {"never_bought", "young"}
    everyone_at_100 = {"tlv_shoes", "tlv_old_shoes", "tlv_no_consent", "haifa_shoes"}
    assert selected(club, rule("spend", min_amount="100", max_amount="100")) == everyone_at_100
    assert (
        selected(club, rule("spend", min_amount="100", max_amount="100", days=3000))
        == everyone_at_100
    )


def test_number_of_orders_in_a_period(club):
    services.refresh_member_stats()
    assert selected(club, rule("orders", min_orders=2)) == {"big_spender"}
    assert selected(club, rule("orders", max_orders=0)) == {"never_bought"}
    assert selected(club, rule("orders", max_orders=0, days=1000)) == {"never_bought"}
    assert selected(club, rule("orders", min_orders=1, days=7)) == {
        "tlv_no_consent",
        "big_spender",
    }
    assert selected(club, rule("orders", min_orders=2, days=90)) == {"big_spender"}


def test_precomputed_windows_are_as_of_the_last_refresh_and_other_periods_are_live(club):
    services.refresh_member_stats()
    buy(club["never_bought"], days_ago=0, total="700.00")
    assert "never_bought" not in selected(club, rule("spend", min_amount="500", days=30))
    assert "never_bought" in selected(club, rule("spend", min_amount="500", days=29))
    services.refresh_member_stats()
    assert "never_bought" in selected(club, rule("spend", min_amount="500", days=30))


def test_last_purchase_recent_lapsed_or_between_dates(club):
    assert selected(club, rule("last_purchase", within_days=7)) == {
        "tlv_no_consent",
        "big_spender",
    }
    assert selected(club, rule("last_purchase", not_within_days=90)) == {
        "tlv_old_shoes",
        "young",
    }
    today = timezone.localdate()
    between = rule(
        "last_purchase",
        since=(today - timedelta(days=30)).isoformat(),
        until=(today - timedelta(days=15)).isoformat(),
    )
    assert selected(club, between) == {"haifa_shoes"}


def test_age_range_from_the_birthday(club):
    assert selected(club, rule("age", min_age=18, max_age=25)) == {"young"}
    assert selected(club, rule("age", min_age=21)) == set()


def test_consent_state_including_never_asked(club):
    assert selected(club, rule("consent", channel="email", status="granted")) == {
        "tlv_shoes",
        "tlv_old_shoes",
        "haifa_shoes",
    }
    assert selected(club, rule("consent", channel="email", status="none")) == {
        "tlv_no_consent",
        "big_spender",
        "young",
        "never_bought",
    }


def test_acquisition_channel_and_not_recorded(club):
    FirstTouch.objects.create(visitor_id="a", channel="email", member=club["tlv_shoes"])
    FirstTouch.objects.create(visitor_id="b", channel="search", member=club["young"])
    FirstTouch.objects.create(visitor_id="c", channel="email")  # never joined
    assert selected(club, rule("acquisition", channels=["email"])) == {"tlv_shoes"}
    assert selected(club, rule("acquisition", channels=["search", "unknown"])) == set(club) - {
        "tlv_shoes"
    }


def test_referred_or_not(club):
    ReferralFactory(
        referrer=club["tlv_shoes"],
        code__member=club["tlv_shoes"],
        referee=club["haifa_shoes"].user,
    )
    assert selected(club, rule("referred", referred=True)) == {"haifa_shoes"}
    assert selected(club, rule("referred", referred="no")) == set(club) - {"haifa_shoes"}


def test_membership_status_and_joining_date(club):
    Member.objects.filter(pk=club["young"].pk).update(
        status=Member.EXPIRED, joined_at=timezone.now() - timedelta(days=400)
    )
    assert selected(club, rule("status", statuses=["expired"])) == {"young"}
    assert selected(club, rule("joined", days=365)) == set(club) - {"young"}


def test_rfm_quintiles_are_computed_in_sql_and_filter_members(club):
    written = services.refresh_member_stats()
    assert written == 6  # everyone with a counted order
    big = MemberStats.objects.get(member=club["big_spender"])
    assert (big.orders_count, big.spend) == (3, D("3000.00"))
    assert (big.recency_score, big.frequency_score, big.monetary_score) == (5, 5, 5)
    assert MemberStats.objects.get(member=club["young"]).spend == D("50.00")
    assert selected(club, rule("rfm", monetary_min=5)) == {"big_spender"}
    assert selected(club, rule("rfm", recency_max=1)) == {"tlv_old_shoes", "young"}
    # A second run replaces the figures rather than adding to them.
    assert services.refresh_member_stats() == 6
    assert MemberStats.objects.count() == 6


def test_groups_combine_with_and_or_and_nest(club):
    services.refresh_member_stats()
    nested = {
        "op": "or",
        "rules": [
            rule("city", cities="Haifa"),
            {
                "op": "and",
                "rules": [
                    rule("customer_type", customer_type="business"),
                    rule("orders", min_orders=3),
                ],
            },
        ],
    }
    assert selected(club, nested) == {"haifa_shoes", "big_spender"}
    assert selected(
        club, rule("city", cities="Tel Aviv"), rule("consent", channel="email", status="granted")
    ) == {"tlv_shoes", "tlv_old_shoes"}
    assert selected(
        club, rule("city", cities="Tel Aviv"), rule("city", cities="Haifa"), op="or"
    ) == {
        "tlv_shoes",
        "tlv_old_shoes",
        "tlv_no_consent",
        "haifa_shoes",
    }
    # An empty segment is the whole club.
    assert selected(club) == set(club)


def test_a_segment_is_evaluated_in_one_query(club, catalogue, django_assert_num_queries):
    rules = validate_rules(
        {
            "op": "and",
            "rules": [
                rule("city", cities="Tel Aviv"),
                rule("bought", categories=[catalogue["shoes"].pk], days=90),
                rule("consent", channel="email", status="granted"),
            ],
        }
    )
    # The category paths are read once when the queryset is built; the count is one statement.
    queryset = services.members_in(rules)
    with django_assert_num_queries(1):
        assert queryset.count() == 1


def test_invalid_rules_say_what_is_wrong_and_where(club):
    with pytest.raises(InvalidSegmentRules) as caught:
        validate_rules(
            {
                "op": "xor",
                "rules": [
                    {"type": "nope"},
                    rule("age"),
                    {"op": "and", "rules": []},
                    rule("spend", min_amount="100", days=30, since="2026-01-01"),
                    rule("bought", products="NO-SUCH-UPC"),
                ],
            }
        )
    errors = caught.value.errors
    assert any("“xor”" in e for e in errors)
    assert "Rule 1: there is no condition called “nope”." in errors
    assert any(e.startswith("Rule 2 (Age range)") and "minimum" in e for e in errors)
    assert "Rule 3: this group has no conditions." in errors
    assert any(e.startswith("Rule 4 (Spend in a period)") and "not both" in e for e in errors)
    assert any("NO-SUCH-UPC" in e for e in errors)
    with pytest.raises(InvalidSegmentRules):
        validate_rules(["not", "a", "group"])
