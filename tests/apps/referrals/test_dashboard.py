"""Staff see the referrals, the funnel and the review queue, and decide."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.referrals import services
from oscar_loyalty.apps.referrals.models import Referral
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_review_queue_shows_reasons_and_staff_approve_or_reject(staff_client, code):
    suspicious = ReferralFactory(
        code=code, status=Referral.REVIEW, review_reasons=["same shipping address as the referrer"]
    )
    other = ReferralFactory(code=code, status=Referral.REVIEW, review_reasons=["x"])
    clean = ReferralFactory(code=code, status=Referral.LINKED)
    page = staff_client.get(
        reverse("loyalty_dashboard:loyalty-referrals-list"), {"status": "review"}
    )
    assert list(page.context["referrals"]) == [other, suspicious]
    assert "same shipping address as the referrer" in page.content.decode()
    assert clean.referee.email not in page.content.decode()

    decide = "loyalty_dashboard:loyalty-referrals-decide"
    staff_client.post(reverse(decide, args=[suspicious.pk]), {"decision": "approve"})
    staff_client.post(reverse(decide, args=[other.pk]), {"decision": "reject"})
    page = staff_client.post(
        reverse(decide, args=[clean.pk]), {"decision": "approve"}, follow=True
    )
    assert "Only a referral in review can be approved." in page.content.decode()
    statuses = dict(Referral.objects.values_list("pk", "status"))
    assert statuses == {
        suspicious.pk: Referral.PENDING,
        other.pk: Referral.REJECTED,
        clean.pk: Referral.LINKED,
    }


def test_the_funnel_counts_visits_sign_ups_first_orders_and_rewards(staff_client, code):
    for _ in range(3):
        services.record_visit(code)
    ReferralFactory(code=code, status=Referral.LINKED)
    ReferralFactory(code=code, status=Referral.PENDING)
    ReferralFactory(code=code, status=Referral.REWARDED, referrer_points=500)
    page = staff_client.get(reverse("loyalty_dashboard:loyalty-referrals-stats"))
    funnel = page.context["funnel"]
    assert (funnel.visits, funnel.sign_ups, funnel.first_orders, funnel.rewards) == (3, 3, 2, 1)
    [row] = page.context["referrers"]
    assert (row, row.sign_ups, row.rewards, row.points) == (code.member, 3, 1, 500)


def test_staff_without_the_referral_permissions_are_refused(code):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("loyalty_dashboard:loyalty-referrals-list"))
    assert response.status_code in (302, 403)
