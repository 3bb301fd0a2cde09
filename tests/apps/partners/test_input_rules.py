"""Hostile input at the partner API and the till: odd headers and non-ASCII card digits.

Each case was an HTTP 500 before (issue #17); now it is a 4xx that changes nothing.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.numbers import has_foreign_digits, normalise_number
from oscar_loyalty.apps.membership.services import find_member_by_number
from oscar_loyalty.apps.partners.models import PartnerNonce, PartnerTransaction
from oscar_loyalty.exceptions import MemberNotFound
from tests.apps.partners.conftest import api_url, balance, grant
from tests.apps.partners.conftest import signed_headers as sign

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")

# The same card number written with other scripts' digits.
SCRIPTS = {
    "superscript": str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"),
    "arabic-indic": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
    "full-width": str.maketrans("0123456789", "０１２３４５６７８９"),
    "devanagari": str.maketrans("0123456789", "०१२३४५६७८९"),
    "circled": str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨"),
}


def in_script(number: str, script: str) -> str:
    return number.translate(SCRIPTS[script])


# Signature header -------------------------------------------------------------


@pytest.mark.parametrize("signature", ["é" * 64, "ü", "\u0660" * 64, "\x00" * 64, "a\udcff"])
def test_a_non_ascii_signature_is_a_401_counted_as_a_failed_signature(
    api, partner, member, settings, signature
):
    settings.OSCAR_LOYALTY_PARTNERS_AUTH_FAILURE_LIMIT = (2, 300)
    path = api_url("member-lookup")
    body = json.dumps({"card": member.number}).encode()
    answers = []
    for _ in range(3):
        headers = sign(partner, "POST", path, body)
        headers["X-Loyalty-Signature"] = signature
        answers.append(api.send("POST", path, body, headers))
    assert [r.status_code for r in answers] == [401, 401, 429]
    assert answers[0].json()["error"] == "invalid_signature"
    assert not PartnerNonce.objects.exists()


@pytest.mark.parametrize("key", ["pk_\x00abc", "é" * 300, "a\udcff"])
def test_a_key_id_with_nul_or_non_ascii_characters_is_a_401(api, partner, member, key):
    # PostgreSQL refuses a NUL in a query parameter (a ValueError, so an HTTP 500).
    path = api_url("member-lookup")
    body = json.dumps({"card": member.number}).encode()
    headers = sign(partner, "POST", path, body)
    headers["X-Loyalty-Key"] = key
    response = api.send("POST", path, body, headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"


@pytest.mark.parametrize("timestamp", ["\u0661\u0667", " 1700000000", "1_700_000_000", "١٧٠٠"])
def test_a_timestamp_that_is_not_ascii_digits_is_refused(api, partner, member, timestamp):
    # int() reads other scripts' digits, spaces and underscores; the canonical string
    # would then carry a timestamp the partner never meant.
    path = api_url("member-lookup")
    body = json.dumps({"card": member.number}).encode()
    headers = sign(partner, "POST", path, body, timestamp=timestamp)
    response = api.send("POST", path, body, headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"


def test_a_nonce_with_a_trailing_newline_is_refused(api, partner, member):
    # ``$`` matches before a final newline: the nonce must be matched in full.
    path = api_url("member-lookup")
    body = json.dumps({"card": member.number}).encode()
    headers = sign(partner, "POST", path, body, nonce="abcdefgh12\n")
    response = api.send("POST", path, body, headers)
    assert response.status_code == 401
    assert not PartnerNonce.objects.exists()


# Card numbers -----------------------------------------------------------------


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_card_numbers_in_other_scripts_digits_are_refused_by_lookup_earn_and_burn(
    api, member, script
):
    card = in_script(member.number, script)
    lookup = api.post("member-lookup", {"card": card})
    by_qr = api.post("member-lookup", {"qr": card})
    earned = api.earn(card, "10.00", f"earn-{script}")
    burned = api.burn(card, 10, f"burn-{script}")
    for response in (lookup, by_qr, earned, burned):
        assert response.status_code == 400, response.content
        assert response.json() == {
            "error": "invalid_request",
            "message": "Send the card number with the digits 0-9 only.",
        }
    assert balance(member) == 1000
    assert not PartnerTransaction.objects.exists()


def test_a_single_foreign_digit_in_an_otherwise_ascii_card_is_refused(api, member):
    response = api.post("member-lookup", {"card": member.number[:-1] + "²"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_find_member_by_number_refuses_other_scripts_digits_with_a_clear_message(member, script):
    with pytest.raises(MemberNotFound, match="digits 0-9"):
        find_member_by_number(in_script(member.number, script))


def test_only_ascii_digits_survive_normalising_and_foreign_digits_are_detected():
    assert normalise_number("1²3") == "13"
    assert has_foreign_digits("1²3") and has_foreign_digits("١") and has_foreign_digits("三")
    assert not has_foreign_digits(" 1234-5678 90 ")


@pytest.fixture
def cashier():
    return grant(UserFactory(is_staff=True), "use_instore_till")


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_the_till_answers_other_scripts_digits_with_a_message_not_a_500(
    client, cashier, member, script
):
    client.force_login(cashier)
    card = in_script(member.number, script)
    url = reverse("loyalty_dashboard:loyalty-instore")
    looked_up = client.get(url, {"number": card})
    assert looked_up.status_code == 200
    assert "digits 0-9" in looked_up.content.decode()
    recorded = client.post(url, {"number": card, "amount": "10.00", "receipt": "R-1"})
    assert recorded.status_code in (200, 302)
    invalid_form = client.post(url, {"number": card, "amount": "x", "receipt": "R-1"})
    assert invalid_form.status_code == 200
    assert not Order.objects.exists()
    assert balance(member) == 1000


def test_the_dashboard_member_lookup_refuses_other_scripts_digits(client, member):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(
        reverse("loyalty_dashboard:loyalty-member-lookup"),
        {"number": in_script(member.number, "superscript")},
        follow=True,
    )
    assert response.status_code == 200
    assert "digits 0-9" in response.content.decode()


@pytest.mark.parametrize("reference", ["R\x00-1", "R-\udcff", "\ud800"])
def test_a_reference_with_a_nul_or_a_lone_surrogate_is_refused(api, member, reference):
    # Neither database stores them (PostgreSQL refuses NUL, no UTF-8 encodes a
    # lone surrogate): they were a 500 after the points were locked.
    response = api.earn(member.number, "10.00", "ref-key-001", reference=reference)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert balance(member) == 1000
    assert not PartnerTransaction.objects.exists()


def test_an_idempotency_key_with_a_trailing_newline_is_refused(api, member):
    response = api.earn(member.number, "10.00", "newline-key\n")
    assert response.status_code == 400
    assert not PartnerTransaction.objects.exists()
