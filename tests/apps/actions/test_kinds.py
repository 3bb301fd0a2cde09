"""Each rule kind earns what it says, once, and a review takes its points back when removed."""

from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.test.factories import ProductReviewFactory, create_product

from oscar_loyalty import daily
from oscar_loyalty.apps.actions import kinds, services
from oscar_loyalty.apps.actions.models import ActionAward, ActionCredit, ActionRule
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.wording import MARKETING
from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsEntry
from tests.apps.actions.conftest import (
    ActionRuleFactory,
    ProductReview,
    balance,
    set_review_status,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review_rule(points_settings):
    return ActionRuleFactory(
        kind=ActionRule.REVIEW, code="review", name="Product review", points=30
    )


@pytest.fixture
def run_hooks(django_capture_on_commit_callbacks):
    """Run the on_commit hooks of the changes made inside the block, as a real commit does."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def review_of(member, product, status, run_hooks):
    with run_hooks():
        return ProductReviewFactory(
            user=member.user, product=product, status=status, title="Nice", body="Good."
        )


def test_an_approved_review_earns_the_rule_once_and_the_entry_names_rule_and_product(
    review_rule, run_hooks
):
    member = MemberFactory()
    product = create_product()
    review = review_of(member, product, ProductReview.APPROVED, run_hooks)
    with run_hooks():
        review.save()  # a vote or an edit saves it again: no second earning
    assert balance(member) == 30
    entry = PointsEntry.objects.get(account__member=member)
    assert entry.reason == "Product review"
    assert entry.action_credit.rule == review_rule
    assert entry.action_credit.award.object_key == f"product:{product.pk}"


def test_a_review_waiting_for_moderation_earns_nothing_until_approved(review_rule, run_hooks):
    member = MemberFactory()
    review = review_of(member, create_product(), ProductReview.FOR_MODERATION, run_hooks)
    assert balance(member) == 0
    with run_hooks():
        set_review_status(review, ProductReview.APPROVED)
    assert balance(member) == 30


def test_a_review_approved_unapproved_and_approved_again_earns_once_net(review_rule, run_hooks):
    member = MemberFactory()
    review = review_of(member, create_product(), ProductReview.APPROVED, run_hooks)
    with run_hooks():
        set_review_status(review, ProductReview.REJECTED)
    assert balance(member) == 0
    with run_hooks():
        set_review_status(review, ProductReview.APPROVED)
    with run_hooks():
        set_review_status(review, ProductReview.APPROVED)  # the same status saved twice
    assert balance(member) == 30
    kinds_written = list(
        PointsEntry.objects.filter(account__member=member)
        .order_by("pk")
        .values_list("kind", "points")
    )
    assert kinds_written == [("bonus", 30), ("reverse", -30), ("bonus", 30)]
    assert ActionAward.objects.get(member=member).times_earned == 2
    assert verification.verify_balances() == []


def test_a_deleted_review_takes_its_points_back_without_deleting_ledger_rows(
    review_rule, run_hooks
):
    member = MemberFactory()
    review = review_of(member, create_product(), ProductReview.APPROVED, run_hooks)
    with run_hooks():
        review.delete()
    assert balance(member) == 0
    assert PointsEntry.objects.filter(account__member=member).count() == 2
    assert ActionCredit.objects.filter(award__member=member).count() == 2
    award = ActionAward.objects.get(member=member)
    assert award.status == ActionAward.REVERSED and award.reversed_at is not None


def test_points_spent_before_the_review_is_removed_become_a_debt(review_rule, run_hooks):
    member = MemberFactory()
    review = review_of(member, create_product(), ProductReview.APPROVED, run_hooks)
    from oscar_loyalty.apps.points.services import adjust_points

    adjust_points(member, -20, reason="Spent", staff_user=None)
    with run_hooks():
        review.delete()
    assert balance(member) == -20  # 10 points left, 20 owed
    assert verification.verify_balances() == []


def test_a_deactivated_rule_still_takes_back_what_it_gave(review_rule, run_hooks):
    member = MemberFactory()
    review = review_of(member, create_product(), ProductReview.APPROVED, run_hooks)
    ActionRule.objects.filter(pk=review_rule.pk).update(is_active=False)
    with run_hooks():
        set_review_status(review, ProductReview.REJECTED)
    assert balance(member) == 0


def test_each_product_reviewed_earns_and_anonymous_or_guest_reviews_earn_nothing(
    review_rule, run_hooks
):
    member = MemberFactory()
    review_of(member, create_product(), ProductReview.APPROVED, run_hooks)
    review_of(member, create_product(), ProductReview.APPROVED, run_hooks)
    guest = get_user_model().objects.create_user("guest", "guest@example.com", "x")
    with run_hooks():
        ProductReviewFactory(user=guest, product=create_product(), status=ProductReview.APPROVED)
        ProductReviewFactory(
            user=None,
            name="Anon",
            email="anon@example.com",
            product=create_product(),
            status=ProductReview.APPROVED,
        )
    assert balance(member) == 60
    assert ActionAward.objects.count() == 2


def test_a_stale_copy_of_a_review_saved_late_cannot_earn_for_an_unapproved_review(
    review_rule, run_hooks
):
    member = MemberFactory()
    review = review_of(member, create_product(), ProductReview.FOR_MODERATION, run_hooks)
    stale = ProductReview.objects.get(pk=review.pk)
    ProductReview.objects.filter(pk=review.pk).update(status=ProductReview.REJECTED)
    with run_hooks():
        stale.title = "Edited"
        stale.save(update_fields=["title"])  # the stale copy still says "moderation"
    assert balance(member) == 0
    # And the reverse: the hook reads the committed status, not the copy's.
    ProductReview.objects.filter(pk=review.pk).update(status=ProductReview.APPROVED)
    with run_hooks():
        stale.save(update_fields=["title"])
    assert balance(member) == 30


def test_a_confirmed_newsletter_subscription_earns_once_and_a_pending_one_nothing(
    points_settings, settings, run_hooks
):
    settings.OSCAR_LOYALTY_DOUBLE_OPT_IN = True
    ActionRuleFactory(kind=ActionRule.NEWSLETTER, code="newsletter", points=40)
    member = MemberFactory()
    with run_hooks():
        consent.record_consent(
            member.user,
            purpose=MARKETING,
            channel="email",
            action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_PREFERENCES,
        )
    assert balance(member) == 0  # waiting for the confirmation link
    for action, source in [
        (ConsentRecord.GRANT, ConsentRecord.SOURCE_DOI),
        (ConsentRecord.WITHDRAW, ConsentRecord.SOURCE_PREFERENCES),
        (ConsentRecord.GRANT, ConsentRecord.SOURCE_DOI),
    ]:
        with run_hooks():
            consent.record_consent(
                member.user, purpose=MARKETING, channel="email", action=action, source=source
            )
    assert balance(member) == 40  # kept after unsubscribing; a second confirmation: nothing


def test_a_completed_profile_earns_once_when_the_last_field_is_filled(points_settings, run_hooks):
    ActionRuleFactory(kind=ActionRule.PROFILE, code="profile", points=25)
    member = MemberFactory(birthday=None, city="")
    member.user.first_name, member.user.last_name = "Dana", "Levi"
    with run_hooks():
        member.user.save()
    with run_hooks():
        member.birthday = datetime(1990, 5, 4).date()
        member.save()
    assert balance(member) == 0 and kinds.profile_missing(member) == ["city"]
    with run_hooks():
        member.city = "Haifa"
        member.save()
    with run_hooks():
        member.city = ""
        member.save()
    with run_hooks():
        member.city = "Akko"
        member.save()
    assert balance(member) == 25


def test_a_profile_needs_the_name_of_the_user_too(points_settings, run_hooks):
    ActionRuleFactory(kind=ActionRule.PROFILE, code="profile", points=25)
    member = MemberFactory(birthday=datetime(1990, 5, 4).date(), city="Haifa")
    member.user.first_name, member.user.last_name = "   ", ""
    with run_hooks():
        member.user.save()
        member.save()
    assert balance(member) == 0
    with run_hooks():
        member.user.first_name, member.user.last_name = "Dana", "Levi"
        member.user.save()
    assert balance(member) == 25


def test_the_anniversary_earns_each_year_once_from_the_daily_job(points_settings):
    ActionRuleFactory(kind=ActionRule.ANNIVERSARY, code="anniversary", points=100)
    joined = timezone.make_aware(datetime(2023, 3, 10, 12))
    member = MemberFactory(joined_at=joined)
    newcomer = MemberFactory(joined_at=timezone.make_aware(datetime(2025, 3, 10, 9)))
    other_day = MemberFactory(joined_at=timezone.make_aware(datetime(2023, 4, 10, 12)))
    on_the_day = timezone.make_aware(datetime(2025, 3, 10, 8))
    assert kinds.award_anniversaries(now=on_the_day) == 1
    assert kinds.award_anniversaries(now=on_the_day) == 0  # a rerun: nothing twice
    # Two days late (the job did not run): still paid, once.
    assert kinds.award_anniversaries(now=timezone.make_aware(datetime(2025, 3, 12, 8))) == 0
    assert kinds.award_anniversaries(now=timezone.make_aware(datetime(2026, 3, 12, 8))) == 2
    assert balance(member) == 200
    assert balance(newcomer) == 100 and balance(other_day) == 0
    keys = set(ActionAward.objects.filter(member=member).values_list("object_key", flat=True))
    assert keys == {"anniversary:2025", "anniversary:2026"}


def test_a_29_february_joiner_celebrates_on_28_february_in_other_years(points_settings):
    ActionRuleFactory(kind=ActionRule.ANNIVERSARY, code="anniversary", points=100)
    member = MemberFactory(joined_at=timezone.make_aware(datetime(2024, 2, 29, 12)))
    assert (
        kinds.award_anniversaries(now=timezone.make_aware(datetime(2025, 2, 27, 23)), days=1) == 0
    )
    assert kinds.award_anniversaries(now=timezone.make_aware(datetime(2025, 2, 28, 9)), days=1)
    assert balance(member) == 100


def test_the_daily_jobs_are_registered_under_the_actions_prefix():
    names = {job.name for job in daily.select(["actions"])}
    assert names == {"actions.catch_up", "actions.anniversaries"}


def test_a_custom_action_earns_once_per_object(points_settings):
    ActionRuleFactory(code="app_download", points=70)
    member = MemberFactory()
    first = services.record_action(user=member.user, code="app_download", object_key="app")
    again = services.record_action(user=member.user, code="app_download", object_key="app")
    assert first is not None and again.pk == first.pk
    assert balance(member) == 70


def test_a_custom_action_fired_by_the_signal_earns_and_a_refusal_never_raises(points_settings):
    from oscar_loyalty.apps.actions.signals import action_performed

    ActionRuleFactory(code="store_visit", points=10)
    member = MemberFactory()
    action_performed.send(sender=None, user=member.user, code="store_visit", object_key="d1")
    action_performed.send(sender=None, user=member.user, code="no_such_code", object_key="d1")
    assert balance(member) == 10


def test_a_custom_action_can_be_taken_back_once(points_settings):
    ActionRuleFactory(code="app_download", points=70)
    member = MemberFactory()
    services.record_action(user=member.user, code="app_download", object_key="app")
    assert services.take_back_action(user=member.user, code="app_download", object_key="app")
    assert not services.take_back_action(user=member.user, code="app_download", object_key="app")
    assert balance(member) == 0
    assert verification.verify_balances() == []
