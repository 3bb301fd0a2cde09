"""A crash after any commit of a review's approval loses nothing once the daily catch-up ran."""

import pytest
from oscar.test.factories import ProductReviewFactory, create_product

from oscar_loyalty.apps.actions import kinds
from oscar_loyalty.apps.actions.models import ActionRule
from oscar_loyalty.apps.points import verification
from tests.apps.actions.conftest import ActionRuleFactory, ProductReview, balance
from tests.crashes import commits, crash_after
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def approve(review):
    review.status = ProductReview.APPROVED
    review.save()


def reject(review):
    review.status = ProductReview.REJECTED
    review.save()


@pytest.mark.parametrize("story", ["approve", "reject"])
def test_a_crash_after_any_commit_of_a_review_change_is_repaired_by_the_catch_up(
    points_settings, story
):
    ActionRuleFactory(kind=ActionRule.REVIEW, code="review", points=30)

    def prepared():
        member = MemberFactory()
        status = ProductReview.FOR_MODERATION if story == "approve" else ProductReview.APPROVED
        review = ProductReviewFactory(user=member.user, product=create_product(), status=status)
        if story == "reject":
            kinds.sync_review(user_id=member.user_id, product_id=review.product_id)
            assert balance(member) == 30
        return member, review

    change = approve if story == "approve" else reject
    expected = 30 if story == "approve" else 0
    member, review = prepared()
    with commits() as found:
        change(review)
    assert found.count >= 2, found.labels  # the review, then the points
    assert balance(member) == expected

    for n in range(1, found.count + 1):
        member, review = prepared()
        with crash_after(n):
            change(review)
        kinds.catch_up()
        kinds.catch_up()  # a second run changes nothing
        assert balance(member) == expected, (n, found.labels[n - 1])
        assert verification.verify_balances() == []
