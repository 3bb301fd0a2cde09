"""Hostile input: staff forms, the member's page and the dashboard refuse nonsense."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.challenges.forms import ChallengeForm
from oscar_loyalty.apps.challenges.models import Challenge
from tests.apps.challenges.conftest import make_challenge


def _form(**changes):
    data = {
        "name": "Three orders",
        "kind": "orders",
        "target": "3",
        "period_days": "30",
        "starts_at": "2026-01-01T00:00",
        "reward_kind": "points",
        "reward_points": "100",
        "max_completions": "1",
        "is_active": "on",
    }
    data.update(changes)
    return ChallengeForm(data=data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"target": "0"},
        {"target": "-3"},
        {"target": "100000"},
        {"reward_points": "-5"},
        {"reward_points": "0"},
        {"max_completions": "0"},
        {"kind": "'; DROP TABLE x; --"},
        {"reward_kind": "voucher"},  # no offer chosen
        {"reward_kind": "draw"},  # no draw chosen
        {"ends_at": "2025-01-01T00:00"},  # before the start
        {"kind": "reviews"},  # a period on a kind without one
        {"name": ""},
    ],
)
def test_the_staff_form_refuses_a_nonsense_challenge(changes):
    form = _form(**changes)
    assert not form.is_valid()
    assert _form().is_valid(), _form().errors


@pytest.mark.django_db
def test_a_members_page_escapes_a_challenge_name_and_needs_a_member(client):
    from tests.factories import MemberFactory

    make_challenge(name="<script>alert(1)</script>", target=2)
    member = MemberFactory()
    client.force_login(member.user)
    page = client.get(reverse("loyalty:challenges")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    client.force_login(UserFactory())
    assert client.get(reverse("loyalty:challenges")).status_code == 302


@pytest.mark.django_db
def test_the_dashboard_pages_are_for_staff_only(client):
    challenge = make_challenge(ends_at=timezone.now() + timedelta(days=3))
    url = reverse("loyalty_dashboard:loyalty-challenges-funnel", kwargs={"pk": challenge.pk})
    client.force_login(UserFactory())
    assert client.get(url).status_code in (302, 403)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get(url).status_code == 200
    missing = reverse("loyalty_dashboard:loyalty-challenges-funnel", kwargs={"pk": 999999})
    assert client.get(missing).status_code == 404
    assert Challenge.objects.count() == 1
