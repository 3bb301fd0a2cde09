"""Members see their challenges on the member's home and in the account; staff see the funnel."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.challenges.funnel import funnel
from tests.apps.challenges.conftest import make_challenge, order_for
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _bar(page: str, pk: int) -> str:
    match = re.search(rf'<li class="mb-3" id="loyalty-challenge-{pk}">(.*?)</li>', page, re.S)
    assert match, page
    return match.group(1)


def test_the_member_home_shows_a_progress_bar_with_its_aria_values(client, member):
    challenge = make_challenge(target=3)
    order_for(member)
    client.force_login(member.user)
    page = client.get(reverse("loyalty:join")).content.decode()
    bar = _bar(page, challenge.pk)
    assert 'role="progressbar"' in bar
    assert 'aria-valuemin="0"' in bar and 'aria-valuemax="3"' in bar
    assert 'aria-valuenow="1"' in bar and 'aria-valuetext="1 of 3"' in bar
    assert "width: 33%" in bar


def test_the_account_page_shows_the_same_progress_in_hebrew(client, member):
    challenge = make_challenge(target=2)
    order_for(member)
    client.force_login(member.user)
    with translation.override("he"):
        page = client.get(reverse("loyalty:challenges"), HTTP_ACCEPT_LANGUAGE="he").content
    bar = _bar(page.decode(), challenge.pk)
    assert 'aria-valuenow="1"' in bar and "1 מתוך 2" in bar


def test_the_funnel_counts_who_saw_started_reached_each_step_and_completed(client):
    challenge = make_challenge(target=2)
    seen_only, one_step, done = MemberFactory(), MemberFactory(), MemberFactory()
    for member in (seen_only, one_step, done):
        client.force_login(member.user)
        client.get(reverse("loyalty:join"))
    order_for(one_step)
    order_for(done)
    order_for(done)
    result = funnel(challenge)
    assert (result.saw, result.started, result.completed) == (3, 2, 1)
    assert result.reached == [(1, 2), (2, 1)]
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("loyalty_dashboard:loyalty-challenges-funnel", kwargs={"pk": challenge.pk})
    page = client.get(url).content.decode()
    assert 'id="loyalty-challenge-funnel-completed">1<' in page


def test_staff_create_a_challenge_in_the_dashboard(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("loyalty_dashboard:loyalty-challenges-create"),
        {
            "name": "Write your first review",
            "kind": "reviews",
            "target": "1",
            "starts_at": "2026-01-01T00:00",
            "reward_kind": "points",
            "reward_points": "50",
            "max_completions": "1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    from oscar_loyalty.apps.challenges.models import Challenge

    assert Challenge.objects.get().name == "Write your first review"
    assert client.get(reverse("loyalty_dashboard:loyalty-challenges-list")).status_code == 200


def test_the_member_homes_challenges_cost_the_same_queries_for_one_or_five(client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order_for(member)
    client.force_login(member.user)
    counts = []
    for how_many, more in ((1, 1), (5, 4)):
        for i in range(more):
            make_challenge(name=f"Challenge {how_many}-{i}", target=3)
        client.get(reverse("loyalty:join"))  # the first view marks them seen
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("loyalty:join")).content.decode()
        assert page.count('role="progressbar"') == how_many
        counts.append(len(queries))
    assert counts[0] == counts[1]
