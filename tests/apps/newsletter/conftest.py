from decimal import Decimal as D

import pytest
from oscar.test.factories import CategoryFactory, UserFactory, create_product, create_stockrecord
from wagtail.rich_text import RichText

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter
from tests.factories import MemberFactory, TierFactory


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    # Django's test set-up swaps EMAIL_BACKEND for locmem; put Anymail's test
    # backend back so batches go through Anymail's payload code.
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def make_member(email, *, consenting=True, first_name="", tier=None, interests=(), **kwargs):
    member = MemberFactory(
        user=UserFactory(email=email, first_name=first_name), tier=tier, **kwargs
    )
    member.interests.set(interests)
    if consenting:
        consent.record_consent(
            member.user,
            purpose="marketing",
            channel="email",
            action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_DOI,
        )
    return member


@pytest.fixture
def gold(db):
    return TierFactory(name="Gold", code="gold")


@pytest.fixture
def shoes(db):
    return CategoryFactory(name="Shoes")


@pytest.fixture
def boots(shoes):
    product = create_product(title="Desert boots")
    product.categories.add(shoes)
    create_stockrecord(product, price=D("120.00"), num_in_stock=5)
    return product


@pytest.fixture
def newsletter(db):
    return Newsletter.objects.create(
        title="November",
        subject="November at the club",
        language="en",
        live=True,
        body=[
            ("heading", "Autumn is here"),
            ("paragraph", RichText('<p>New arrivals, <a href="/catalogue/">see them</a>.</p>')),
            ("recommended", {"heading": "Picked for you"}),
            ("button", {"text": "Shop now", "url": "https://shop.example/"}),
        ],
    )


@pytest.fixture
def campaign(newsletter):
    return Campaign.objects.create(name="November send", newsletter=newsletter)


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    from oscar_loyalty.apps.newsletter import services

    def send(campaign):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_campaign(campaign)

    return send
