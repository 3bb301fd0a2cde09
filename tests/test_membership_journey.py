"""The foundation's "done when", in one go, through the real views."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import Member
from tests.checkout import add_to_basket, place_order

pytestmark = pytest.mark.django_db


def test_a_shopper_registers_joins_buys_the_paid_plan_and_staff_find_them(
    client, free_plan, vip_plan
):
    response = client.post(
        reverse("customer:register"),
        {
            "email": "noa@example.com",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "join_club": "on",
            "consent_email": "on",
        },
    )
    assert response.status_code == 302  # Oscar logs the new customer in
    member = Member.objects.get(user__email="noa@example.com")
    assert member.plan == free_plan

    add_to_basket(client, vip_plan.product)
    order = place_order(client, requires_shipping=False)
    member.refresh_from_db()
    assert member.plan == vip_plan and member.terms.filter(order=order).exists()

    card = client.get(reverse("loyalty:card")).content.decode()
    assert member.formatted_number in card and "<svg" in card and "VIP" in card

    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = staff.get(reverse("loyalty_dashboard:loyalty-member-list"), {"q": "noa@"})
    assert [row.record for row in listing.context["members"].page.object_list] == [member]
    detail = staff.get(reverse("loyalty_dashboard:loyalty-member-detail", args=[member.pk]))
    html = detail.content.decode()
    assert "VIP" in html and order.number in html and "Registration form" in html
