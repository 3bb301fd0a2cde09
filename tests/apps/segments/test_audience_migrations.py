"""The migrations that turned campaign and offer-rule tier/interest lists into segments (#19).

Each test goes back to the schema before them (newsletter and offers 0003),
writes campaigns or rules with the old lists through the historical models,
works out each one's audience the old way, migrates forward and checks that
today's code (``fanout.audience``, ``conditions.refusal_reason``) selects
exactly the same members. Runs on SQLite and, in CI's second pass, PostgreSQL.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from oscar.core.loading import get_model
from oscar.test.factories import CategoryFactory

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.newsletter import fanout
from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter
from oscar_loyalty.apps.offers.conditions import refusal_reason
from oscar_loyalty.apps.offers.models import MemberOfferRule
from oscar_loyalty.apps.offers.services import CONDITION_PATH
from oscar_loyalty.apps.segments.legacy_audiences import combined_rules, unique_name
from oscar_loyalty.apps.segments.models import Segment
from oscar_loyalty.apps.segments.rules import validate_rules
from oscar_loyalty.apps.segments.services import members_in, save_segment, segment_q
from tests.apps.newsletter.conftest import make_member
from tests.factories import TierFactory

# Transactional: the test migrates the schema back and forth, which cannot
# happen inside the test's transaction. The rows migrations create (price book
# version, site offers) are restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [
    ("loyalty_newsletter", "0003_outbox_fewer_indexes"),
    ("loyalty_offers", "0003_price_book_version"),
]
Condition = get_model("offer", "Condition")


@contextmanager
def schema_before_segments_only():
    """The historical apps of the schema with tier/interest lists; forward again on exit."""
    for app, name in BEFORE:
        call_command("migrate", app, name, verbosity=0)
    try:
        graph = MigrationExecutor(connection).loader.graph
        # Every other app as it is now: only these go back. An app whose latest
        # migration needs a later one of theirs (it was unapplied with them) is left
        # out, or its state would bring those later migrations back in.
        kept = {node for app_node in BEFORE for node in graph.forwards_plan(app_node)}

        def needs_later(node) -> bool:
            return any(
                dep[0] in dict(BEFORE) and dep not in kept for dep in graph.forwards_plan(node)
            )

        nodes = [
            node
            for node in graph.leaf_nodes()
            if node[0] not in dict(BEFORE) and not needs_later(node)
        ] + BEFORE
        yield graph.make_state(nodes=nodes, at_end=True).apps
    finally:
        call_command("migrate", verbosity=0)


@pytest.fixture
def world(db):
    """Members differing in tier, interests, city, region and consent; two saved segments."""
    gold, silver = TierFactory(name="Gold", code="gold"), TierFactory(name="Silver", code="silver")
    shoes, hats, books = (CategoryFactory(name=n) for n in ("Shoes", "Hats", "Books"))
    people = [
        make_member("a@example.com", tier=gold, interests=[shoes], city="Tel Aviv"),
        make_member("b@example.com", tier=gold, interests=[hats, books], city="Haifa"),
        make_member("c@example.com", tier=silver, interests=[shoes, hats], region="tel-aviv"),
        make_member("d@example.com", tier=silver, city="Tel Aviv", customer_type="business"),
        make_member("e@example.com", interests=[shoes], city="Tel Aviv"),
        make_member("f@example.com", tier=gold, interests=[shoes], consenting=False),
        make_member("g@example.com", interests=[books], region="tel-aviv"),
        make_member("h@example.com", tier=gold, status=Member.EXPIRED, interests=[hats]),
    ]
    tel_aviv = save_segment(
        name="Tel Aviv",
        rules={"op": "and", "rules": [{"type": "city", "params": {"cities": "Tel Aviv"}}]},
    )
    either = save_segment(
        name="Tel Aviv region or business",
        rules={
            "op": "or",
            "rules": [
                {"type": "region", "params": {"regions": ["tel-aviv"]}},
                {"type": "customer_type", "params": {"customer_type": "business"}},
            ],
        },
    )
    return {
        "tiers": {"gold": gold, "silver": silver},
        "categories": {"shoes": shoes, "hats": hats, "books": books},
        "segments": {"tel_aviv": tel_aviv, "either": either},
        "people": people,
    }


# Each case: (tiers, interests, segment) as the old forms stored them.
CAMPAIGNS = {
    "gold only": (["gold"], [], None),
    "shoes or hats": ([], ["shoes", "hats"], None),
    "gold or silver, into shoes": (["gold", "silver"], ["shoes"], None),
    "gold, into shoes, in Tel Aviv": (["gold"], ["shoes"], "tel_aviv"),
    "silver, in an OR segment": (["silver"], [], "either"),
    "interests and an OR segment": ([], ["books", "hats"], "either"),
    "segment only": ([], [], "tel_aviv"),
    "everyone": ([], [], None),
}


def old_campaign_audience(tier_ids, category_ids, segment):
    """What ``fanout.audience`` selected before #19 (its code then, on today's Member)."""
    members = fanout.audience(Campaign(segment=None))
    if tier_ids:
        members = members.filter(tier_id__in=tier_ids)
    if category_ids:
        members = members.filter(interests__in=category_ids)
    if segment is not None:
        members = members.filter(segment_q(segment))
    return set(members.distinct())


def write_old_campaigns(old_apps, world, newsletter) -> tuple[dict, dict]:
    """Campaigns as the old forms stored them; each one's audience worked out the old way."""
    OldCampaign = old_apps.get_model("loyalty_newsletter", "Campaign")
    expected, ids = {}, {}
    for name, (tiers, interests, segment) in CAMPAIGNS.items():
        tier_ids = [world["tiers"][t].pk for t in tiers]
        category_ids = [world["categories"][c].pk for c in interests]
        segment = world["segments"][segment] if segment else None
        campaign = OldCampaign.objects.create(
            name="Spring" if "Tel Aviv" in name or "OR" in name else name,
            newsletter_id=newsletter.pk,
            segment_id=getattr(segment, "pk", None),
        )
        campaign.tiers.set(tier_ids)
        campaign.interests.set(category_ids)
        ids[name] = campaign.pk
        expected[name] = old_campaign_audience(tier_ids, category_ids, segment)
    return ids, expected


RULES = {
    "gold": (["gold"], None),
    "gold or silver in Tel Aviv": (["gold", "silver"], "tel_aviv"),
    "silver in an OR segment": (["silver"], "either"),
    "segment only": ([], "either"),
    "every member": ([], None),
}


def write_old_rules(old_apps, world) -> tuple[dict, dict]:
    """Offer rules with tier lists; the members each one admitted before #19."""
    OldRule = old_apps.get_model("loyalty_offers", "MemberOfferRule")
    conditions, expected = {}, {}
    for name, (tiers, segment) in RULES.items():
        tier_ids = {world["tiers"][t].pk for t in tiers}
        segment = world["segments"][segment] if segment else None
        condition = Condition.objects.create(proxy_class=CONDITION_PATH)
        rule = OldRule.objects.create(
            condition_id=condition.pk, segment_id=getattr(segment, "pk", None)
        )
        rule.tiers.set(tier_ids)
        conditions[name] = condition
        in_segment = set(members_in(segment)) if segment else None
        # The rule's check before #19: benefits, then the tier list, then the segment.
        expected[name] = {
            m
            for m in world["people"]
            if m.has_benefits()
            and (not tier_ids or m.tier_id in tier_ids)
            and (in_segment is None or m in in_segment)
        }
    return conditions, expected


def test_each_campaign_and_offer_rule_keeps_exactly_its_audience_as_a_segment(world):
    # One trip back and forth for both migrations: each trip re-renders every app's
    # historical models (about 30 s on a slow machine), so the two kinds share it.
    newsletter = Newsletter.objects.create(title="N", subject="S", language="en")
    with schema_before_segments_only() as old_apps:
        campaign_ids, audiences = write_old_campaigns(old_apps, world, newsletter)
        conditions, admitted_before = write_old_rules(old_apps, world)

    for name, pk in campaign_ids.items():
        campaign = Campaign.objects.select_related("segment").get(pk=pk)
        assert set(fanout.audience(campaign)) == audiences[name], name
    # The cases really differ from one another (the comparison is not vacuous).
    assert len({frozenset(v) for v in audiences.values()}) == len(audiences)
    # Unmoved campaigns keep their segment (or none); moved ones get a new one each,
    # named after the campaign, unique even for campaigns of the same name.
    segments = {name: Campaign.objects.get(pk=pk).segment for name, pk in campaign_ids.items()}
    assert segments["segment only"] == world["segments"]["tel_aviv"]
    assert segments["everyone"] is None
    moved = [s for n, s in segments.items() if n not in ("segment only", "everyone")]
    assert len({s.pk for s in moved}) == len(moved) == 6
    assert {s.name for s in moved} >= {
        "Campaign audience: Spring",
        "Campaign audience: Spring (2)",
    }
    for segment in moved:  # each is a tree today's editor accepts as it is
        assert validate_rules(segment.rules) == segment.rules

    for name, condition in conditions.items():
        admitted = {m for m in world["people"] if refusal_reason(condition, m) is None}
        assert admitted == admitted_before[name], name
    assert len({frozenset(v) for v in admitted_before.values()}) == len(admitted_before)
    rule = MemberOfferRule.objects.get(condition=conditions["gold"])
    assert rule.segment.name == f"Offer audience: condition {conditions['gold'].pk}"


def test_combined_rules_ands_an_or_segment_as_a_group_and_splices_an_and_segment():
    tiers = {"type": "tier", "params": {"tiers": [1, 2], "no_tier": False}}
    city = {"type": "city", "params": {"cities": ["Haifa"]}}
    region = {"type": "region", "params": {"regions": ["haifa"]}}
    assert combined_rules(tier_ids=[2, 1, 2]) == {"op": "and", "rules": [tiers]}
    assert combined_rules(tier_ids=[2, 1], segment_rules={"op": "and", "rules": [city]}) == {
        "op": "and",
        "rules": [tiers, city],
    }
    either = {"op": "or", "rules": [city, region]}
    assert combined_rules(tier_ids=[1, 2], segment_rules=either) == {
        "op": "and",
        "rules": [tiers, either],
    }
    assert combined_rules(tier_ids=[], category_ids=[], segment_rules=either) is None


def test_a_name_too_long_for_the_column_is_cut_and_still_unique(db):
    long = "x" * 200
    Segment.objects.create(name=unique_name(Segment, long))
    second = unique_name(Segment, long)
    assert len(second) == 128 and second.endswith(" (2)")
