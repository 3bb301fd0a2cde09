import pytest
from django.test import Client
from django.urls import reverse

from oscar_loyalty.apps.points.models import PointsRedemption

from .conftest import credit, make_basket

pytestmark = pytest.mark.django_db


def test_too_many_apply_points_requests_are_refused_with_a_message(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_RATE_LIMIT = (2, 600)
    credit(member, 5000)
    client = Client()
    client.force_login(member.user)
    make_basket(member.user)
    url = reverse("loyalty:points-apply")
    for _ in range(2):
        client.post(url, {"points": "-1"})
    response = client.post(url, {"points": "100"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Too many attempts" in m for m in messages)
    assert not PointsRedemption.objects.exists()


def test_applying_points_works_under_the_limit(member, points_settings):
    credit(member, 5000)
    client = Client()
    client.force_login(member.user)
    make_basket(member.user)
    response = client.post(reverse("loyalty:points-apply"), {"points": "100"}, follow=True)
    assert not any("Too many" in str(m) for m in response.context["messages"])
    assert PointsRedemption.objects.get().points == 100
