"""A member who has touched every app, with personal data easy to search for."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, VoucherFactory, create_product
from wagtail.rich_text import RichText

from oscar_loyalty.apps.journey.models import FirstTouch
from oscar_loyalty.apps.membership import services as membership
from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter, OutboxMessage
from oscar_loyalty.apps.offers.models import MemberGift, PrizeDraw
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.apps.referrals import services as referrals
from oscar_loyalty.apps.referrals.models import ReferralVisit
from tests import checkout
from tests.factories import MemberFactory

Order = get_model("order", "Order")
Email = get_model("communication", "Email")
Notification = get_model("communication", "Notification")
ProductReview = get_model("reviews", "ProductReview")
ProductAlert = get_model("customer", "ProductAlert")
WishList = get_model("wishlists", "WishList")
UserSearch = get_model("analytics", "UserSearch")

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    email: str = "danielle.zylberstein@example.org"
    first_name: str = "Danielle"
    last_name: str = "Zylberstein"
    phone: str = "+972525550199"
    city: str = "Kfar Vradim"
    business: str = "Zylberstein Ceramics"
    ip: str = "203.0.113.77"
    user_agent: str = "ZylbersteinBrowser/9.1"
    street: str = "17 Hashkediya Street"

    def needles(self) -> dict[str, str]:
        return {
            "email": self.email,
            "email local part": self.email.split("@")[0],
            "first name": self.first_name,
            "last name": self.last_name,
            "phone": self.phone,
            "city": self.city,
            "business name": self.business,
            "IP address": self.ip,
            "user agent": self.user_agent,
            "street": self.street,
        }


@dataclass
class FullMember:
    person: Person
    user: object
    member: object
    order: object
    client: Client


@pytest.fixture
def person():
    return Person()


@pytest.fixture
def full_member(db, free_plan, person, monkeypatch, django_capture_on_commit_callbacks):
    """Everything the add-on and Oscar can know about one customer."""
    user = UserFactory(
        email=person.email, first_name=person.first_name, last_name=person.last_name
    )
    user.set_password(PASSWORD)
    user.save()
    request = RequestFactory().post(
        "/club/", REMOTE_ADDR=person.ip, HTTP_USER_AGENT=person.user_agent
    )

    # Referrals: referred by a friend (fraud signals are kept about the referee).
    friend = MemberFactory(user=UserFactory(email="friend@example.com"))
    referrals.link_referee(user, referrals.get_code(friend).code, source="checkout")

    # Membership and consent (with IP address and user agent as evidence).
    with django_capture_on_commit_callbacks(execute=True):
        member = membership.join_club(
            user, plan=free_plan, consent_channels=["email", "sms"], request=request
        )
    membership.update_profile(member, city=person.city, business_name=person.business)
    code = referrals.get_code(member)
    ReferralVisit.objects.create(code=code, ip_hash="abc")

    # Oscar: a real checkout (addresses, order, basket, confirmation email).
    product = create_product(title="Clay mug", price=D("80.00"), num_in_stock=10)
    client = Client(REMOTE_ADDR=person.ip)
    client.force_login(user)
    address = {
        **checkout.ADDRESS,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "line1": person.street,
        "line4": person.city,
        "phone_number": person.phone,
    }
    monkeypatch.setattr(checkout, "ADDRESS", address)
    checkout.add_to_basket(client, product)
    with django_capture_on_commit_callbacks(execute=True):
        order = checkout.place_order(client)
    Order.objects.filter(pk=order.pk).update(status="Complete")
    order.refresh_from_db()

    # Points: a staff adjustment whose reason names the member.
    staff = UserFactory(is_staff=True)
    points.adjust_points(
        member, 50, reason=f"Goodwill: {person.first_name} called from {person.phone}",
        staff_user=staff,
    )  # fmt: skip

    # Offers: a gift voucher and a draw entry.
    MemberGift.objects.create(
        key=f"welcome:{member.pk}", member=member, kind=MemberGift.WELCOME,
        voucher=VoucherFactory(code="WELCOME-ZYL"),
    )  # fmt: skip
    PrizeDraw.objects.create(
        name="Spring draw", prize="A kiln",
        entries=[{"member_id": member.pk, "number": member.number, "tickets": 2}],
    )  # fmt: skip

    # Newsletter: one outbox message, whose provider error quotes the address.
    newsletter = Newsletter.objects.create(
        title="March", subject="March", language="en", live=True,
        body=[("paragraph", RichText("<p>Hello</p>"))],
    )  # fmt: skip
    OutboxMessage.objects.create(
        campaign=Campaign.objects.create(name="March send", newsletter=newsletter),
        user=user, email_hash="h" * 64, status=OutboxMessage.FAILED,
        error=f"550 mailbox {person.email} is full",
    )  # fmt: skip

    # Journey: where the member came from.
    FirstTouch.objects.create(
        visitor_id="v1", member=member, utm_source="newsletter",
        landing_page=f"/?ref={person.email}",
    )  # fmt: skip

    # The rest of Oscar: wishlist, review, stock alert, sent emails, searches.
    WishList.objects.create(owner=user, name=f"{person.first_name}'s kitchen")
    ProductReview.objects.create(
        product=product, user=user, score=5, title="Lovely",
        body=f"Bought for my kitchen in {person.city}", status=ProductReview.APPROVED,
    )  # fmt: skip
    ProductAlert.objects.create(product=product, user=user)
    Email.objects.create(
        user=user, email=person.email, subject="Hello",
        body_text=f"Dear {person.first_name} {person.last_name}",
    )  # fmt: skip
    Notification.objects.create(recipient=user, subject=f"Hi {person.first_name}")
    UserSearch.objects.create(user=user, query=f"{person.last_name} mug")

    member.refresh_from_db()
    user = get_user_model().objects.get(pk=user.pk)
    return FullMember(person=person, user=user, member=member, order=order, client=client)
