"""Real threads on PostgreSQL: one custom action reported twice at once earns once."""

from oscar.test.factories import ProductReviewFactory, create_product

from oscar_loyalty.apps.actions import kinds, services
from oscar_loyalty.apps.actions.models import ActionAward, ActionRule
from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsEntry
from oscar_loyalty.exceptions import ActionError
from tests.apps.actions.conftest import ActionRuleFactory, ProductReview, balance
from tests.concurrency import postgres_races, run_in_threads
from tests.factories import MemberFactory

pytestmark = postgres_races("concurrent actions")


def test_two_concurrent_calls_with_one_idempotency_key_earn_once(points_settings):
    ActionRuleFactory(code="app_download", points=70)
    member = MemberFactory()

    def report(index):
        return services.record_action(
            user=member.user, code="app_download", object_key="app", idempotency_key="dl-1"
        )

    awards, errors = run_in_threads(report, 2, expected=ActionError)
    assert errors == [] and len(awards) == 2
    assert {award.pk for award in awards} == {ActionAward.objects.get().pk}
    assert balance(member) == 70
    assert PointsEntry.objects.filter(account__member=member).count() == 1
    assert verification.verify_balances() == []


def test_many_concurrent_actions_never_pass_the_cap(points_settings):
    ActionRuleFactory(code="store_visit", points=10, cap_count=3, cap_period="month")
    member = MemberFactory()

    def visit(index):
        return services.record_action(
            user=member.user, code="store_visit", object_key=f"visit-{index}"
        )

    awards, errors = run_in_threads(visit, 8, expected=ActionError)
    assert errors == [] and sum(award is not None for award in awards) == 3
    assert balance(member) == 30


def test_approving_and_rejecting_a_review_at_once_ends_as_the_review_ends(points_settings):
    ActionRuleFactory(kind=ActionRule.REVIEW, code="review", points=30)
    member = MemberFactory()
    product = create_product()
    review = ProductReviewFactory(user=member.user, product=product, status=0)
    for final in (ProductReview.APPROVED, ProductReview.REJECTED, ProductReview.APPROVED):
        ProductReview.objects.filter(pk=review.pk).update(status=final)

        def sync(index):
            return kinds.sync_review(user_id=member.user_id, product_id=product.pk)

        run_in_threads(sync, 4, expected=ActionError)
        assert balance(member) == (30 if final == ProductReview.APPROVED else 0)
    assert verification.verify_balances() == []
