"""Member notices go by email in every store; by SMS only where the newsletter app is installed."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import Member, Plan
from oscar_loyalty.notices import send_member_notice

pytestmark = [pytest.mark.smoke_journey, pytest.mark.django_db]


def test_a_member_who_chose_sms_gets_a_service_notice_by_email_without_the_newsletter_app(
    client, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = Plan.objects.create(name="Club", slug="club", price=Decimal("0.00"))
    user = UserFactory(email="dana@example.com")
    member = Member.objects.create(user=user, plan=plan, phone="+972527654301")
    client.force_login(user)
    page = client.get(reverse("loyalty:profile")).content.decode()
    newsletter = apps.is_installed("oscar_loyalty.apps.newsletter")
    assert ('name="notice_channel"' in page) == newsletter
    if newsletter:
        pytest.skip("with the newsletter app the SMS path is tested in tests/apps/newsletter")
    member.notice_channel = "sms"  # chosen while the app was installed
    member.save()
    order = type("Order", (), {"number": "100042"})()
    sent = send_member_notice(
        member, notice_type="points_earned", context={"points": 5, "order": order}, key="k:1"
    )
    assert sent and [m.to for m in mail.outbox] == [["dana@example.com"]]
