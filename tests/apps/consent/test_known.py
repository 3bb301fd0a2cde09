"""The mail guard reuses what the club context read about the shopper's own address."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import create_product, create_stockrecord

from oscar_loyalty.apps.consent import known, services
from oscar_loyalty.apps.consent.hashing import email_hash
from oscar_loyalty.apps.consent.models import Suppression
from tests.checkout import add_to_basket, place_order
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def standalone_suppression_queries(queries):
    return [q for q in queries if q["sql"].startswith('SELECT "loyalty_consent_suppression"')]


def checkout_as(client, member):
    product = create_product(title="Boots")
    create_stockrecord(product, price=D("50.00"), num_in_stock=5)
    client.force_login(member.user)
    add_to_basket(client, product)
    with CaptureQueriesContext(connection) as queries:
        order = place_order(client)
    return order, queries


def test_the_order_confirmation_is_checked_with_the_contexts_answer_not_a_query(
    client, mailoutbox
):
    member = MemberFactory(user__email="dana@example.com")
    order, queries = checkout_as(client, member)
    assert [m.to for m in mailoutbox if order.number in m.subject] == [["dana@example.com"]]
    assert standalone_suppression_queries(queries) == []


def test_a_hard_bounced_shoppers_confirmation_is_still_dropped(client, mailoutbox):
    member = MemberFactory(user__email="bounced@example.com")
    services.suppress("bounced@example.com", scope=Suppression.ALL, reason=Suppression.HARD_BOUNCE)
    order, queries = checkout_as(client, member)
    assert order.number and not [m for m in mailoutbox if order.number in m.subject]
    assert standalone_suppression_queries(queries) == []


def test_an_answer_lasts_one_request_and_never_more_than_five_seconds(monkeypatch):
    import time

    hashed = email_hash("dana@example.com")
    known.remember(hashed, True)
    assert known.recall(hashed) is True
    assert services.suppressed_hashes([hashed], marketing=False) == {hashed}
    later = time.monotonic() + known.MAX_AGE_SECONDS + 1
    monkeypatch.setattr(known.time, "monotonic", lambda: later)
    assert known.recall(hashed) is None
    # Not trusted any more: the database (no suppression there) answers.
    assert services.suppressed_hashes([hashed], marketing=False) == set()
    monkeypatch.undo()
    known.remember(hashed, True)
    known.forget()
    assert known.recall(hashed) is None


def test_marketing_mail_always_asks_the_database():
    hashed = email_hash("dana@example.com")
    services.suppress(
        "dana@example.com", scope=Suppression.MARKETING, reason=Suppression.COMPLAINT
    )
    known.remember(hashed, False)  # not blocked for all mail...
    assert services.suppressed_hashes([hashed], marketing=True) == {hashed}  # ...but for ads
    known.forget()
