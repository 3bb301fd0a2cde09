"""What every rule has: a switch, a schedule, a cap per period, an audience; and hostile input."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from oscar_loyalty.apps.actions import services
from oscar_loyalty.apps.actions.models import ActionAward
from oscar_loyalty.apps.segments.models import Segment
from oscar_loyalty.exceptions import ActionError, ActionKeyReused, UnknownAction
from tests.apps.actions.conftest import ActionRuleFactory, balance
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def record(member, object_key, *, code="app_download", now=None, **kwargs):
    return services.record_action(
        user=member.user, code=code, object_key=object_key, now=now, **kwargs
    )


def test_a_switched_off_rule_earns_nothing(points_settings):
    ActionRuleFactory(code="app_download", is_active=False)
    member = MemberFactory()
    assert record(member, "app") is None
    assert balance(member) == 0


def test_a_rule_earns_only_inside_its_schedule_start_inclusive_end_exclusive(points_settings):
    ActionRuleFactory(
        code="app_download", points=10, starts_at=at(2026, 1, 1), ends_at=at(2026, 2, 1)
    )
    member = MemberFactory()
    assert record(member, "a", now=at(2025, 12, 31, 23, 59)) is None
    assert record(member, "b", now=at(2026, 1, 1)) is not None
    assert record(member, "c", now=at(2026, 1, 31, 23, 59)) is not None
    assert record(member, "d", now=at(2026, 2, 1)) is None
    assert balance(member) == 20


def test_the_cap_counts_per_calendar_month_and_starts_again_the_next(points_settings):
    ActionRuleFactory(code="app_download", points=10, cap_count=3, cap_period="month")
    member = MemberFactory()
    earned = [record(member, f"visit-{n}", now=at(2026, 3, 5 + n)) for n in range(5)]
    assert [award is not None for award in earned] == [True, True, True, False, False]
    assert record(member, "visit-9", now=at(2026, 4, 1, 0, 1)) is not None
    assert balance(member) == 40
    other = MemberFactory()  # the cap is per member
    assert record(other, "visit-1", now=at(2026, 3, 20)) is not None


def test_a_capped_object_can_earn_later_in_a_new_period(points_settings):
    ActionRuleFactory(code="app_download", points=10, cap_count=1, cap_period="day")
    member = MemberFactory()
    assert record(member, "one", now=at(2026, 3, 5, 9)) is not None
    assert record(member, "two", now=at(2026, 3, 5, 18)) is None
    assert record(member, "two", now=at(2026, 3, 6, 9)) is not None
    assert balance(member) == 20


def test_a_cap_in_total_counts_every_award_ever(points_settings):
    ActionRuleFactory(code="app_download", points=10, cap_count=2, cap_period="ever")
    member = MemberFactory()
    for n, day in enumerate([at(2024, 1, 1), at(2025, 1, 1), at(2026, 1, 1)]):
        record(member, f"x{n}", now=day)
    assert balance(member) == 20


def test_a_taken_back_award_frees_its_place_under_the_cap(points_settings):
    ActionRuleFactory(code="app_download", points=10, cap_count=1, cap_period="month")
    member = MemberFactory()
    record(member, "one")
    services.take_back_action(user=member.user, code="app_download", object_key="one")
    assert record(member, "two") is not None
    assert balance(member) == 10


def test_a_rule_for_some_tiers_earns_only_for_members_in_them(points_settings):
    gold, silver = TierFactory(code="gold"), TierFactory(code="silver")
    rule = ActionRuleFactory(code="app_download", points=10)
    rule.tiers.set([gold])
    in_gold, in_silver, without = (
        MemberFactory(tier=gold),
        MemberFactory(tier=silver),
        MemberFactory(tier=None),
    )
    assert [record(m, "app") is not None for m in (in_gold, in_silver, without)] == [
        True,
        False,
        False,
    ]


def test_a_rule_for_a_segment_earns_only_for_its_members_and_a_missing_segment_for_nobody(
    points_settings,
):
    segment = Segment.objects.create(
        name="Haifa",
        rules={"op": "and", "rules": [{"type": "city", "params": {"cities": ["Haifa"]}}]},
    )
    ActionRuleFactory(code="app_download", points=10, segment_id=segment.pk)
    ActionRuleFactory(code="gone", points=10, segment_id=segment.pk + 1000)
    haifa, eilat = MemberFactory(city="Haifa"), MemberFactory(city="Eilat")
    assert record(haifa, "app") is not None
    assert record(eilat, "app") is None
    assert record(haifa, "app", code="gone") is None
    assert (balance(haifa), balance(eilat)) == (10, 0)


def test_an_expired_or_cancelled_membership_earns_nothing(points_settings):
    ActionRuleFactory(code="app_download", points=10)
    expired = MemberFactory(expires_at=timezone.now() - timedelta(days=1))
    cancelled = MemberFactory(status="cancelled")
    assert record(expired, "app") is None and record(cancelled, "app") is None


def test_a_non_member_or_anonymous_user_earns_nothing_and_no_error(points_settings):
    from django.contrib.auth.models import AnonymousUser
    from oscar.test.factories import UserFactory

    ActionRuleFactory(code="app_download", points=10)
    assert services.record_action(user=UserFactory(), code="app_download", object_key="a") is None
    assert services.record_action(user=None, code="app_download", object_key="a") is None
    # request.user of a guest: no member, no error.
    assert (
        services.record_action(user=AnonymousUser(), code="app_download", object_key="a") is None
    )


@pytest.mark.parametrize(
    "code",
    [
        "no_such_action",
        "app_downloaԁ",  # Cyrillic "d": a look-alike of app_download
        "APP_DOWNLOAD",
        "app_download ",
        "הורדת_אפליקציה",
        "",
        None,
        123,
        "app_download\x00",
        "a" * 500,
    ],
)
def test_an_unknown_or_look_alike_code_is_refused_and_earns_nothing(points_settings, code):
    ActionRuleFactory(code="app_download", points=10)
    member = MemberFactory()
    with pytest.raises(UnknownAction):
        services.record_action(user=member.user, code=code, object_key="app")
    assert balance(member) == 0


def test_a_review_rule_cannot_be_fired_as_a_custom_action(points_settings):
    ActionRuleFactory(code="review", kind="review", points=10)
    member = MemberFactory()
    with pytest.raises(UnknownAction):
        record(member, "product:1", code="review")


@pytest.mark.parametrize("key", ["", "x" * 129, "bad\nkey", "tab\tkey"])
def test_a_malformed_object_key_is_refused(points_settings, key):
    ActionRuleFactory(code="app_download", points=10)
    member = MemberFactory()
    with pytest.raises(ActionError):
        record(member, key)


def test_unicode_object_keys_are_kept_exactly_and_earn_once_each(points_settings):
    ActionRuleFactory(code="app_download", points=10)
    member = MemberFactory()
    record(member, "חנות-תל-אביב")
    record(member, "חנות-תל-אביב")
    record(member, "חנות-חיפה")
    assert balance(member) == 20
    assert set(ActionAward.objects.values_list("object_key", flat=True)) == {
        "חנות-תל-אביב",
        "חנות-חיפה",
    }


def test_a_call_needs_an_object_or_an_idempotency_key(points_settings):
    ActionRuleFactory(code="app_download", points=10)
    with pytest.raises(ActionError):
        services.record_action(user=MemberFactory().user, code="app_download")


def test_a_retry_with_the_same_idempotency_key_earns_nothing_more(points_settings):
    ActionRuleFactory(code="app_download", points=10)
    member = MemberFactory()
    first = services.record_action(user=member.user, code="app_download", idempotency_key="k-1")
    again = services.record_action(user=member.user, code="app_download", idempotency_key="k-1")
    assert first.pk == again.pk and balance(member) == 10


def test_an_idempotency_key_reused_for_another_member_or_object_is_refused(points_settings):
    ActionRuleFactory(code="app_download", points=10)
    member, other = MemberFactory(), MemberFactory()
    record(member, "app", idempotency_key="k-1")
    with pytest.raises(ActionKeyReused):
        record(other, "app", idempotency_key="k-1")
    with pytest.raises(ActionKeyReused):
        record(member, "other", idempotency_key="k-1")
    assert (balance(member), balance(other)) == (10, 0)


def test_a_stale_rule_object_switched_off_meanwhile_earns_nothing(points_settings):
    rule = ActionRuleFactory(code="app_download", points=10)
    member = MemberFactory()
    from oscar_loyalty.apps.actions.models import ActionRule

    ActionRule.objects.filter(pk=rule.pk).update(is_active=False)
    from django.db import transaction

    from oscar_loyalty.apps.points.services import lock_account

    with transaction.atomic():
        account = lock_account(member)
        assert services.earn_locked(account, rule, member, "app", now=timezone.now()) is None
    assert balance(member) == 0


def test_changing_a_rules_points_keeps_what_was_earned_and_takes_back_what_was_given(
    points_settings,
):
    rule = ActionRuleFactory(code="app_download", points=10)
    member = MemberFactory()
    record(member, "app")
    rule.points = 99
    rule.save()
    services.take_back_action(user=member.user, code="app_download", object_key="app")
    assert balance(member) == 0
