"""The signed partner API: signing, replays, idempotency, ownership, caps and limits."""

from __future__ import annotations

import json
import types
from decimal import Decimal

import pytest

from oscar_loyalty.apps.partners.models import PartnerNonce, PartnerTransaction
from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsEntry
from tests.apps.partners.conftest import PartnerFactory, SignedClient, api_url, balance
from tests.apps.partners.conftest import signed_headers as sign

pytestmark = pytest.mark.django_db


def test_a_partner_looks_up_a_member_by_card_number_or_qr_and_sees_only_what_a_cashier_needs(
    api, member
):
    by_card = api.post("member-lookup", {"card": member.formatted_number})
    by_qr = api.post("member-lookup", {"qr": member.number})
    assert by_card.status_code == by_qr.status_code == 200
    assert by_card.json() == by_qr.json()
    data = by_card.json()["member"]
    assert data == {
        "number": member.number,
        "first_name": "Dana",
        "tier": None,
        "active": True,
        "balance": 1000,
        "balance_value": "50.00",  # 1000 points x 0.05
    }
    assert "dana@example.com" not in by_card.content.decode()


def test_an_unknown_card_answers_404_with_a_json_error(api, member):
    response = api.post("member-lookup", {"card": "1234567890"})
    assert response.status_code == 404
    assert response.json()["error"] == "member_not_found"


def test_earn_credits_points_at_the_partners_rate_rounded_down(api, member):
    response = api.earn(member.number, "60.99", "earn-key-0001")
    assert response.status_code == 201, response.content
    txn = response.json()["transaction"]
    assert (txn["kind"], txn["points"], txn["amount"], txn["balance"]) == (
        "earn",
        121,  # 60.99 x 2 = 121.98, down
        "60.99",
        1121,
    )
    assert balance(member) == 1121
    entry = PointsEntry.objects.get(idempotency_key__endswith=":earn-key-0001")
    assert (entry.kind, entry.points) == (PointsEntry.EARN, 121)
    assert PartnerTransaction.objects.get().value == Decimal("3.63")  # 121 x 0.03
    assert verification.verify_balances() == []


def test_burn_takes_points_as_money_off_and_refuses_more_than_the_balance(api, member):
    response = api.burn(member.number, 300, "burn-key-0001")
    assert response.status_code == 201
    assert response.json()["transaction"]["amount"] == "15.00"  # 300 x 0.05
    assert balance(member) == 700
    refused = api.burn(member.number, 701, "burn-key-0002")
    assert refused.status_code == 422
    assert refused.json() == {
        "error": "insufficient_points",
        "message": "Only 700 points are available.",
    }
    assert balance(member) == 700
    assert PartnerTransaction.objects.count() == 1
    assert verification.verify_balances() == []


def test_a_tampered_body_is_refused_and_changes_nothing(api, partner, member):
    path = api_url("earn")
    body = json.dumps(
        {"card": member.number, "amount": "10.00", "idempotency_key": "tamper-key-1"}
    ).encode()
    headers = sign(partner, "POST", path, body)
    tampered = body.replace(b"10.00", b"9999.00")
    response = api.send("POST", path, tampered, headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"
    assert balance(member) == 1000 and not PartnerTransaction.objects.exists()


def test_a_tampered_signature_is_refused(api, partner, member):
    path = api_url("earn")
    body = json.dumps(
        {"card": member.number, "amount": "10.00", "idempotency_key": "tamper-key-2"}
    ).encode()
    headers = sign(partner, "POST", path, body)
    headers["X-Loyalty-Signature"] = headers["X-Loyalty-Signature"][:-1] + (
        "0" if headers["X-Loyalty-Signature"][-1] != "0" else "1"
    )
    response = api.send("POST", path, body, headers)
    assert response.status_code == 401
    assert balance(member) == 1000


def test_a_wrong_key_id_or_another_partners_secret_is_refused(api, partner, member, client):
    other = PartnerFactory()
    path = api_url("earn")
    body = json.dumps(
        {"card": member.number, "amount": "10.00", "idempotency_key": "wrong-key-01"}
    ).encode()
    unknown = sign(partner, "POST", path, body)
    unknown["X-Loyalty-Key"] = "pk_doesnotexist"
    assert api.send("POST", path, body, unknown).status_code == 401
    from oscar_loyalty.apps.partners.signing import partner_secret

    crossed = sign(partner, "POST", path, body, secret=partner_secret(other))
    response = api.send("POST", path, body, crossed)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"
    assert balance(member) == 1000


@pytest.fixture
def frozen_clock(monkeypatch):
    """The server's clock stops: a slow request can no longer cross the window's edge."""
    now = 1_800_000_000
    monkeypatch.setattr(
        "oscar_loyalty.apps.partners.signing.time", types.SimpleNamespace(time=lambda: now)
    )
    return now


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_stale_or_future_timestamp_is_refused(api, member, offset, frozen_clock):
    response = api.earn(member.number, "10.00", "stale-key-01", timestamp=frozen_clock + offset)
    assert response.status_code == 401
    assert response.json()["error"] == "stale_request"
    assert balance(member) == 1000


@pytest.mark.parametrize("offset", [-300, 300])
def test_a_timestamp_exactly_at_the_windows_edge_is_accepted(api, member, offset, frozen_clock):
    response = api.earn(
        member.number, "10.00", f"edge-key-{offset}", timestamp=frozen_clock + offset
    )
    assert response.status_code == 201, response.content


def test_the_timestamp_window_is_a_setting(api, member, settings, frozen_clock):
    settings.OSCAR_LOYALTY_PARTNERS_TIMESTAMP_TOLERANCE = 30
    late = api.earn(member.number, "10.00", "window-key-1", timestamp=frozen_clock - 31)
    assert late.status_code == 401
    on_time = api.earn(member.number, "10.00", "window-key-2", timestamp=frozen_clock - 30)
    assert on_time.status_code == 201


def test_a_replayed_request_changes_nothing_and_says_so(api, partner, member):
    path = api_url("earn")
    body = json.dumps(
        {"card": member.number, "amount": "50.00", "idempotency_key": "replay-key-1"}
    ).encode()
    headers = sign(partner, "POST", path, body)
    first = api.send("POST", path, body, headers)
    assert first.status_code == 201
    replay = api.send("POST", path, body, headers)
    assert replay.status_code == 409
    assert replay.json()["error"] == "replayed_request"
    assert balance(member) == 1100
    assert PartnerTransaction.objects.count() == 1
    assert PointsEntry.objects.filter(kind=PointsEntry.EARN).count() == 1


def test_a_replayed_read_is_refused_too(api, partner, member):
    path = api_url("member-lookup")
    body = json.dumps({"card": member.number}).encode()
    headers = sign(partner, "POST", path, body)
    assert api.send("POST", path, body, headers).status_code == 200
    assert api.send("POST", path, body, headers).status_code == 409


def test_an_idempotent_retry_returns_the_first_result(api, member):
    first = api.earn(member.number, "50.00", "retry-key-01")
    retry = api.earn(member.number, "50.00", "retry-key-01")  # re-signed: a new nonce
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["transaction"] == first.json()["transaction"]
    assert retry.json()["replayed"] is True
    assert balance(member) == 1100
    assert PartnerTransaction.objects.count() == 1


def test_the_same_idempotency_key_for_a_different_request_is_refused(api, member):
    assert api.earn(member.number, "50.00", "reuse-key-01").status_code == 201
    response = api.earn(member.number, "70.00", "reuse-key-01")
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"
    assert balance(member) == 1100


def test_every_change_needs_an_idempotency_key(api, member):
    response = api.post("earn", {"card": member.number, "amount": "50.00"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert balance(member) == 1000


def test_the_status_of_a_transaction_is_found_by_its_idempotency_key(api, member):
    api.burn(member.number, 100, "status-key-1")
    response = api.get("transaction-status", url_kwargs={"key": "status-key-1"})
    assert response.status_code == 200
    assert response.json()["transaction"]["points"] == 100
    missing = api.get("transaction-status", url_kwargs={"key": "status-key-2"})
    assert missing.status_code == 404


def test_a_partner_reverses_its_own_burn_and_the_points_come_back(api, member):
    burn = api.burn(member.number, 400, "burn-rev-01").json()["transaction"]
    assert balance(member) == 600
    response = api.reverse(burn["id"], "reverse-key-1")
    assert response.status_code == 201
    assert response.json()["transaction"]["reverses"] == burn["id"]
    assert balance(member) == 1000
    again = api.reverse(burn["id"], "reverse-key-2")
    assert again.status_code == 409 and again.json()["error"] == "already_reversed"
    assert balance(member) == 1000
    assert verification.verify_balances() == []


def test_reversing_an_earn_already_spent_leaves_a_debt(api, member):
    earn = api.earn(member.number, "100.00", "earn-rev-01").json()["transaction"]  # +200
    api.burn(member.number, 1200, "burn-all-01")
    assert balance(member) == 0
    assert api.reverse(earn["id"], "reverse-key-3").status_code == 201
    from oscar_loyalty.apps.points.models import PointsAccount

    account = PointsAccount.objects.get(member=member)
    assert (account.balance, account.debt) == (0, 200)
    assert verification.verify_balances() == []


def test_a_partner_cannot_reverse_another_partners_transaction(api, client, member):
    other = SignedClient(client, PartnerFactory(name="Supermarket"))
    theirs = other.earn(member.number, "100.00", "theirs-key-1").json()["transaction"]
    assert balance(member) == 1200
    response = api.reverse(theirs["id"], "mine-key-001")
    unknown = api.reverse("00000000-0000-4000-8000-000000000000", "mine-key-002")
    assert response.status_code == unknown.status_code == 404
    assert response.json() == unknown.json()
    assert balance(member) == 1200
    assert PartnerTransaction.objects.filter(kind=PartnerTransaction.REVERSAL).count() == 0
    status = api.get("transaction-status", url_kwargs={"key": "theirs-key-1"})
    assert status.status_code == 404


def test_an_inactive_partner_is_refused(api, partner, member):
    partner.is_active = False
    partner.save()
    response = api.earn(member.number, "10.00", "inactive-key1")
    assert response.status_code == 403
    assert response.json()["error"] == "partner_inactive"
    assert balance(member) == 1000


def test_an_expired_membership_neither_earns_nor_burns(api, member):
    member.status = member.EXPIRED
    member.save()
    assert api.earn(member.number, "10.00", "expired-key1").status_code == 422
    response = api.burn(member.number, 10, "expired-key2")
    assert response.status_code == 422 and response.json()["error"] == "member_inactive"
    assert balance(member) == 1000


def test_daily_caps_per_partner_and_per_member_are_enforced(api, partner, member):
    from tests.factories import MemberFactory

    partner.daily_earn_cap = 300
    partner.member_daily_burn_cap = 150
    partner.save()
    other = MemberFactory()
    assert api.earn(member.number, "100.00", "cap-key-0001").status_code == 201  # 200
    over = api.earn(other.number, "60.00", "cap-key-0002")  # 120 more: 320 > 300
    assert over.status_code == 422
    assert over.json()["error"] == "daily_cap_reached"
    assert api.earn(other.number, "50.00", "cap-key-0003").status_code == 201  # 300
    assert api.burn(member.number, 100, "cap-key-0004").status_code == 201
    refused = api.burn(member.number, 51, "cap-key-0005")
    assert refused.status_code == 422 and "for this member" in refused.json()["message"]
    assert balance(member) == 1100


def test_over_the_rate_limit_a_partner_gets_429(api, member, settings):
    settings.OSCAR_LOYALTY_PARTNERS_RATE_LIMIT = (3, 60)
    answers = [api.post("member-lookup", {"card": member.number}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = api.earn(member.number, "10.00", "limited-key1")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert balance(member) == 1000


def test_repeated_bad_signatures_from_one_address_get_429(api, partner, member, settings):
    settings.OSCAR_LOYALTY_PARTNERS_AUTH_FAILURE_LIMIT = (2, 300)
    path = api_url("member-lookup")
    body = json.dumps({"card": member.number}).encode()
    bad = sign(partner, "POST", path, body, secret="not-the-secret")
    answers = [api.send("POST", path, body, bad).status_code for _ in range(3)]
    assert answers == [401, 401, 429]
    assert api.post("member-lookup", {"card": member.number}).status_code == 429


def test_get_is_refused_on_change_endpoints(api, member):
    response = api.get("earn")
    assert response.status_code == 405
    assert balance(member) == 1000


def test_nonces_older_than_the_window_are_pruned(api, member):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    api.post("member-lookup", {"card": member.number})
    PartnerNonce.objects.create(
        partner=api.partner, nonce="old-nonce-1", created_at=timezone.now() - timedelta(hours=1)
    )
    call_command("loyalty_prune_partner_nonces", verbosity=0)
    left = list(PartnerNonce.objects.values_list("nonce", flat=True))
    assert len(left) == 1 and left != ["old-nonce-1"]  # the fresh one stays


def test_the_secret_is_derived_not_stored_and_rotation_revokes_it(api, partner, member):
    from oscar_loyalty.apps.partners import services
    from oscar_loyalty.apps.partners.signing import partner_secret

    old = partner_secret(partner)
    from oscar_loyalty.apps.partners.models import Partner

    row = Partner.objects.filter(pk=partner.pk).values().get()
    assert all(old not in str(value) for value in row.values())
    new = services.rotate_credentials(partner)
    assert new != old
    assert api.earn(member.number, "10.00", "rotate-key-1", secret=old).status_code == 401
    assert api.earn(member.number, "10.00", "rotate-key-2", secret=new).status_code == 201


def test_points_held_by_a_web_basket_cannot_be_burned_at_a_partner(api, member):
    from oscar_loyalty.apps.points import redemption
    from tests.apps.points.conftest import make_basket

    basket = make_basket(member.user, prices=(Decimal("100.00"),))
    redemption.reserve_points(basket, member.user, 600)
    lookup = api.post("member-lookup", {"card": member.number}).json()["member"]
    assert lookup["balance"] == 400
    refused = api.burn(member.number, 500, "held-key-001")
    assert refused.status_code == 422
    assert refused.json()["message"] == "Only 400 points are available."
    assert api.burn(member.number, 400, "held-key-002").status_code == 201
    assert balance(member) == 600


@pytest.mark.parametrize("amount", ["abc", "NaN", "-5", "0", "12.345", 12.5, True, "1e9999"])
def test_an_amount_that_is_not_money_is_refused(api, member, amount):
    response = api.earn(member.number, amount, "amount-key-1")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert balance(member) == 1000


@pytest.mark.parametrize("points_", ["10", 0, -5, 1.5, True])
def test_points_that_are_not_a_positive_whole_number_are_refused(api, member, points_):
    response = api.burn(member.number, points_, "points-key-1")
    assert response.status_code == 400
    assert balance(member) == 1000
