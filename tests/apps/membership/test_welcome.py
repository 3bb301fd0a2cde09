"""After joining: the welcome message, the names mails greet with, the welcome mail."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import Member

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_welcome_gives_the_member_number_and_asks_to_confirm_the_email(free_plan):
    client = signed_in(UserFactory(first_name="Dana"))
    page = client.post(
        reverse("loyalty:join"), {"plan": free_plan.pk, "consent_email": "on"}, follow=True
    ).content.decode()
    member = Member.objects.get()
    assert f"Welcome to the club! Your member number is {member.number}." in page
    assert "confirm your address" in page


def test_without_an_email_consent_there_is_nothing_to_confirm(free_plan):
    client = signed_in(UserFactory(first_name="Dana"))
    page = client.post(reverse("loyalty:join"), {"plan": free_plan.pk}, follow=True)
    assert "Your member number is" in page.content.decode()
    assert "confirm your address" not in page.content.decode()


def test_a_shopper_without_a_name_gives_it_when_joining_and_the_mail_greets_with_it(
    free_plan, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(first_name="", last_name="")
    client = signed_in(user)
    assert 'name="first_name"' in client.get(reverse("loyalty:join")).content.decode()
    response = client.post(reverse("loyalty:join"), {"plan": free_plan.pk, "consent_email": "on"})
    assert response.status_code == 200  # the first name is required here
    assert not Member.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("loyalty:join"),
            {
                "plan": free_plan.pk,
                "consent_email": "on",
                "first_name": "Noa",
                "last_name": "Cohen",
            },
        )
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Noa", "Cohen")
    confirmation = mailoutbox[-1]
    assert confirmation.body.startswith("Hello Noa,")


def test_a_named_shopper_is_not_asked_again(free_plan):
    client = signed_in(UserFactory(first_name="Dana"))
    assert 'name="first_name"' not in client.get(reverse("loyalty:join")).content.decode()


def test_registration_takes_the_names_and_welcomes_the_new_member(free_plan):
    client = Client()
    page = client.post(
        reverse("customer:register"),
        {
            "email": "noa@example.com",
            "first_name": "Noa",
            "last_name": "Cohen",
            "password1": "a-long-pass-1",
            "password2": "a-long-pass-1",
            "join_club": "on",
        },
        follow=True,
    ).content.decode()
    member = Member.objects.get(user__email="noa@example.com")
    assert (member.user.first_name, member.user.last_name) == ("Noa", "Cohen")
    assert f"Your member number is {member.number}" in page


def test_the_welcome_mail_gives_the_number_and_the_gift_when_configured(
    free_plan, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from oscar_loyalty.apps.membership.services import join_club

    settings.OSCAR_LOYALTY_WELCOME_EMAIL = True
    settings.OSCAR_LOYALTY_WELCOME_GIFT = "points"
    settings.OSCAR_LOYALTY_WELCOME_POINTS = 200
    with django_capture_on_commit_callbacks(execute=True):
        member = join_club(UserFactory(first_name="Dana", email="dana@example.com"))
    welcome = [m for m in mailoutbox if "Welcome to the" in m.subject]
    assert len(welcome) == 1
    assert welcome[0].body.startswith("Hello Dana,")
    assert f"Your member number is {member.number}." in welcome[0].body
    assert "Your welcome gift: 200 club points." in welcome[0].body


def test_no_welcome_mail_unless_configured(
    free_plan, mailoutbox, django_capture_on_commit_callbacks
):
    from oscar_loyalty.apps.membership.services import join_club

    with django_capture_on_commit_callbacks(execute=True):
        join_club(UserFactory(first_name="Dana"))
    assert not [m for m in mailoutbox if "Welcome to the" in m.subject]
