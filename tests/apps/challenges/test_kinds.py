"""Each kind of challenge, its window, its segment and its limit, from the club's real events."""

from datetime import timedelta

from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.challenges import progress, services, sources
from oscar_loyalty.apps.challenges.models import Challenge, ChallengeStep, Completion
from oscar_loyalty.apps.offers import draws
from oscar_loyalty.apps.referrals import services as referral_services
from oscar_loyalty.apps.segments.services import save_segment
from tests.apps.challenges.conftest import (
    balance,
    challenge_points,
    make_challenge,
    order_for,
    product_in,
)
from tests.factories import MemberFactory, PrizeDrawFactory

ProductReview = get_model("reviews", "ProductReview")
ConditionalOffer = get_model("offer", "ConditionalOffer")


def test_three_orders_in_thirty_days_completes_on_the_third_order_and_pays_once(member):
    challenge = make_challenge()
    order_for(member)
    order_for(member)
    assert not Completion.objects.exists()
    assert [p.done for p in progress.progress_for(member)] == [2]
    order_for(member)
    completion = Completion.objects.get()
    assert completion.participation.challenge == challenge and completion.points == 300
    assert challenge_points(member) == 300
    order_for(member)  # a fourth order: completed once, no more
    assert Completion.objects.count() == 1 and challenge_points(member) == 300


def test_orders_further_apart_than_the_period_do_not_complete_it(member):
    make_challenge(target=2, period_days=7)
    now = timezone.now()
    steps = [
        services.Step(key=f"order:{i}", value=str(i), source=f"order:{i}", occurred_at=at)
        for i, at in ((1, now - timedelta(days=10)), (2, now))
    ]
    services.record(member, kind=Challenge.ORDERS, steps=steps)
    assert not Completion.objects.exists()
    services.record(
        member,
        kind=Challenge.ORDERS,
        steps=[services.Step(key="order:3", value="3", source="order:3", occurred_at=now)],
    )
    assert Completion.objects.count() == 1


def test_categories_count_once_each_however_many_orders_buy_from_them(member):
    make_challenge(kind=Challenge.CATEGORIES, target=3, period_days=None, reward_points=50)
    shoes, hats, books = product_in("Shoes"), product_in("Hats"), product_in("Books")
    order_for(member, products=[shoes, hats])
    order_for(member, products=[shoes])
    assert [p.done for p in progress.progress_for(member)] == [2]
    assert not Completion.objects.exists()
    order_for(member, products=[books])
    assert Completion.objects.count() == 1 and challenge_points(member) == 50


def test_referring_two_friends_completes_when_the_second_friends_first_order_qualifies(member):
    make_challenge(kind=Challenge.REFERRALS, target=2, period_days=None, reward_points=200)
    code = referral_services.get_code(member)
    for _ in range(2):
        friend = UserFactory()
        referral_services.link_referee(friend, code.code, source="link")
        assert not Completion.objects.exists()
        product = create_product(num_in_stock=10)
        from tests.apps.points.conftest import make_basket, place

        place(friend, basket=make_basket(friend, products=[product]))
    assert Completion.objects.get().participation.member == member
    assert challenge_points(member) == 200


def test_a_first_review_counts_when_approved_and_is_taken_back_when_unapproved(
    member, django_capture_on_commit_callbacks
):
    make_challenge(kind=Challenge.REVIEWS, target=1, period_days=None, reward_points=40)
    product = create_product()
    with django_capture_on_commit_callbacks(execute=True):
        review = ProductReview.objects.create(
            product=product,
            user=member.user,
            score=5,
            title="Great",
            body="Really",
            status=ProductReview.FOR_MODERATION,
        )
    assert review.status != ProductReview.APPROVED and not Completion.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        review.status = ProductReview.APPROVED
        review.save()
    assert challenge_points(member) == 40
    with django_capture_on_commit_callbacks(execute=True):
        review.status = ProductReview.REJECTED
        review.save()
    assert challenge_points(member) == 0
    # Approved again: completed again, never more than once at a time.
    with django_capture_on_commit_callbacks(execute=True):
        review.status = ProductReview.APPROVED
        review.save()
        review.save()
    assert challenge_points(member) == 40
    assert Completion.objects.filter(reversed_at__isnull=True).count() == 1


def test_orders_outside_the_window_do_not_count(member):
    make_challenge(target=1, starts_at=timezone.now() + timedelta(days=1))
    order_for(member)
    assert not ChallengeStep.objects.exists() and not Completion.objects.exists()
    ended = make_challenge(
        target=1,
        starts_at=timezone.now() - timedelta(days=10),
        ends_at=timezone.now() - timedelta(days=1),
    )
    order_for(member)
    assert not ChallengeStep.objects.filter(participation__challenge=ended).exists()


def test_a_challenge_for_a_segment_ignores_members_outside_it_and_hides_from_them(member):
    business = save_segment(
        name="Business customers",
        rules={
            "op": "and",
            "rules": [{"type": "customer_type", "params": {"customer_type": "business"}}],
        },
    )
    make_challenge(target=1, segment=business)
    order_for(member)  # a private customer
    assert not Completion.objects.exists()
    assert progress.progress_for(member) == []
    insider = MemberFactory(customer_type="business")
    assert [p.challenge.segment for p in progress.progress_for(insider)] == [business]
    order_for(insider)
    assert Completion.objects.get().participation.member == insider


def test_the_completion_limit_lets_a_member_complete_it_that_many_times(member):
    make_challenge(target=1, period_days=None, max_completions=2, reward_points=10)
    for _ in range(4):
        order_for(member)
    assert Completion.objects.count() == 2
    assert challenge_points(member) == 20
    assert progress.progress_for(member)[0].finished


def test_a_switched_off_challenge_takes_no_steps(member):
    make_challenge(target=1, is_active=False)
    order_for(member)
    assert not ChallengeStep.objects.exists()


def test_a_voucher_reward_is_a_single_use_voucher_on_the_chosen_offer(member):
    from oscar_loyalty.apps.referrals.friend_offer import ensure_friend_offer

    ensure_friend_offer("referral-friend")
    offer = ConditionalOffer.objects.get(slug="referral-friend")
    make_challenge(target=1, reward_kind=Challenge.VOUCHER, reward_points=0, reward_offer=offer)
    order_for(member)
    voucher = Completion.objects.get().voucher
    assert list(voucher.offers.all()) == [offer] and voucher.usage == voucher.SINGLE_USE
    assert balance(member) == 50  # the order's own points, nothing from the challenge


def test_a_draw_reward_is_a_ticket_in_that_draw(member):
    draw = PrizeDrawFactory(min_spend=10_000)  # nobody qualifies by spend
    make_challenge(target=1, reward_kind=Challenge.DRAW, reward_points=0, reward_draw=draw)
    other = MemberFactory()
    order_for(member)
    order_for(other)  # completes too
    entries = draws.eligible_entries(draw)
    assert {e["member_id"]: e["tickets"] for e in entries} == {member.pk: 1, other.pk: 1}


def test_a_guest_order_and_a_non_member_take_no_steps(db):
    make_challenge(target=1)
    from tests.apps.points.conftest import make_basket, place

    user = UserFactory()
    place(user, basket=make_basket(user))
    assert not ChallengeStep.objects.exists()
    assert sources.member_of(None) is None


def test_a_referral_approved_by_staff_after_review_counts_at_the_daily_catch_up(member):
    from oscar_loyalty.apps.challenges import catchup
    from oscar_loyalty.apps.referrals import rewards
    from oscar_loyalty.apps.referrals.models import Referral
    from tests.apps.points.conftest import make_basket, place

    code = referral_services.get_code(member)
    friend = UserFactory()
    referral_services.link_referee(friend, code.code, source="link")
    place(friend, basket=make_basket(friend, products=[create_product(num_in_stock=5)]))
    # Held for review when the first order came (as a shared address would hold it).
    Referral.objects.update(status=Referral.REVIEW, rewarded_at=None)
    make_challenge(kind=Challenge.REFERRALS, target=1, period_days=None, reward_points=70)
    assert catchup.catch_up() == 0  # in review: not a friend yet
    rewards.approve_referral(Referral.objects.get(), staff_user=None)
    assert catchup.catch_up() == 1
    assert Completion.objects.get().participation.member == member
    assert catchup.catch_up() == 0
