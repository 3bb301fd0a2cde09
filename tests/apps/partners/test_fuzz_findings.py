"""Inputs that answered HTTP 500 outside the partner API (found while fuzzing, issue #17).

Each now gets a 4xx or the normal page, and changes nothing.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.points.models import PointsEntry
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("member", ["²", "١", "１", "1a", " 1"])
def test_the_ledger_export_refuses_a_member_filter_in_other_scripts_digits(staff_client, member):
    # ``"²".isdigit()`` is true but ``int("²")`` raises: the filter was a 500
    # (and ``int("١")`` quietly read member 1).
    entries = PointsEntry.objects.count()
    response = staff_client.get(
        reverse("loyalty_dashboard:loyalty-points-export"), {"member": member}
    )
    assert response.status_code == 400
    assert PointsEntry.objects.count() == entries


def test_the_ledger_export_still_filters_by_an_ascii_member_id(staff_client):
    from oscar_loyalty.apps.points import services

    dana, noa = MemberFactory(), MemberFactory()
    services.adjust_points(dana, 10, reason="x", staff_user=None)
    services.adjust_points(noa, 20, reason="y", staff_user=None)
    response = staff_client.get(
        reverse("loyalty_dashboard:loyalty-points-export"), {"member": str(dana.pk)}
    )
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 2 and dana.number in rows[1]


def bought(word: str) -> dict:
    return {"op": "and", "rules": [{"type": "bought", "params": {"products": word}}]}


@pytest.mark.parametrize("word", ["²", "١٢", "１２", "⑫", "9" * 40])
def test_a_segment_naming_products_in_other_scripts_digits_is_refused_not_a_500(
    staff_client, word
):
    saved = staff_client.post(
        reverse("loyalty_dashboard:loyalty-segment-create"),
        {"name": "Fuzz", "description": "", "rules": json.dumps(bought(word))},
    )
    assert saved.status_code == 200
    assert "No product with the UPC or id" in saved.content.decode()
    counted = staff_client.post(
        reverse("loyalty_dashboard:loyalty-segment-count"),
        json.dumps(bought(word)),
        content_type="application/json",
    )
    assert counted.status_code == 400
    # Not "not valid JSON": the int() of a superscript was caught as a JSON error.
    assert "No product with the UPC or id" in counted.json()["errors"][0]


def test_the_ledger_export_refuses_a_member_id_beyond_any_integer(staff_client):
    # SQLite raised OverflowError comparing it.
    response = staff_client.get(
        reverse("loyalty_dashboard:loyalty-points-export"), {"member": "9" * 40}
    )
    assert response.status_code == 400


def mailgun_event(outbox: str, message_id: str = "20180316194635.1.1A5C7E0B0E@mg.example.com"):
    import hashlib
    import hmac

    timestamp, token = "1529006854", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(b"mailgun-signing-key", f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": {
            "event": "delivered",
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": 1521233195.375624,
            "recipient": "dana@example.com",
            "message": {"headers": {"message-id": message_id}},
            "user-variables": {"outbox": outbox},
            "tags": [],
        },
    }


@pytest.mark.parametrize(
    "outbox,message_id",
    [
        ("²", "id@mg"),
        ("9" * 40, "id@mg"),
        ("9" * 5000, "id@mg"),
        # No outbox: the provider's message id is looked up; the database cannot
        # take a lone surrogate (either database) or a NUL (PostgreSQL).
        ("", "id\ud800@mg"),
        ("", "id\x00@mg"),
    ],
)
def test_a_tracking_event_with_an_odd_outbox_or_message_id_is_not_a_500(
    client, settings, outbox, message_id
):
    import base64

    settings.ANYMAIL = {
        "WEBHOOK_SECRET": "hook:s3cret",
        "MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
    }
    response = client.post(
        "/anymail/mailgun/tracking/",
        json.dumps(mailgun_event(outbox, message_id)),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"hook:s3cret").decode(),
    )
    assert response.status_code == 200


@pytest.mark.parametrize("next_url", ["0", "basket", "x" * 20_000])
def test_entering_a_referral_code_with_a_next_that_is_no_path_goes_to_the_basket(client, next_url):
    # redirect("0") tried to reverse a view named "0": NoReverseMatch, a 500.
    response = client.post(reverse("loyalty:referral-enter"), {"code": "", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("basket:summary")


@pytest.mark.parametrize(
    "ref", ["campaign:²/outbox:1", "campaign:١/outbox:1", "campaign:" + "9" * 5000]
)
def test_a_message_reference_with_foreign_or_too_many_digits_names_no_campaign(ref):
    # The reference comes from a provider's event (ConsentRecord.message); int()
    # raised on it, so one odd unsubscribe made the newsletter report a 500.
    from oscar_loyalty.apps.newsletter.loyalty_reports import campaign_of_message

    assert campaign_of_message(ref) is None
    assert campaign_of_message("campaign:12/outbox:345") == 12


def test_counting_a_segment_from_a_body_that_is_not_utf8_is_a_400(staff_client):
    response = staff_client.post(
        reverse("loyalty_dashboard:loyalty-segment-count"),
        b"\xff\xfe\x00",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"errors": ["The rules are not valid JSON."]}


@pytest.mark.parametrize("limited", [False, True])
def test_adding_a_voucher_with_a_referer_that_is_no_url_goes_to_the_basket(
    client, settings, limited
):
    # Oscar's redirect_to_referrer passes a relative Referer such as "0" to
    # redirect(), which tries to reverse a view named "0": NoReverseMatch, a 500.
    if limited:
        settings.OSCAR_LOYALTY_VOUCHER_RATE_LIMIT = (0, 60)
    response = client.post(reverse("basket:vouchers-add"), {"code": "0"}, HTTP_REFERER="0")
    assert response.status_code == 302
    assert response["Location"] == reverse("basket:summary")
