"""The partner script (examples/partner_client.py) over real HTTP against a live server."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from examples.partner_client import PartnerClient, demo, new_key
from oscar_loyalty.apps.partners.models import PartnerTransaction
from oscar_loyalty.apps.partners.signing import partner_secret
from oscar_loyalty.apps.points import services as points
from tests.apps.partners.conftest import PartnerFactory, balance
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def script(live_server):
    partner = PartnerFactory(earn_rate="1", burn_rate="0.10")
    base = live_server.url + reverse("loyalty:partners_api:earn")[: -len("earn/")]
    return PartnerClient(base, partner.key_id, partner_secret(partner))


def test_the_partner_script_earns_and_burns_and_a_replayed_request_changes_nothing(script):
    member = MemberFactory(user__first_name="Dana")
    points.adjust_points(member, 100, reason="Start", staff_user=None)

    status, body = script.lookup(member.number)
    assert (status, body["member"]["first_name"], body["member"]["balance"]) == (200, "Dana", 100)

    earn = script.prepare(
        "POST",
        "earn/",
        {"card": member.number, "amount": "75.40", "idempotency_key": new_key()},
    )
    status, body = script.send(earn)
    assert (status, body["transaction"]["points"]) == (201, 75)
    assert balance(member) == 175

    status, body = script.burn(member.number, 70, reference="till-9")
    assert (status, body["transaction"]["amount"]) == (201, "7.00")
    assert balance(member) == 105

    status, body = script.send(earn)  # the very same signed bytes again
    assert (status, body["error"]) == (409, "replayed_request")
    assert balance(member) == 105
    assert PartnerTransaction.objects.count() == 2


def test_the_scripts_demo_runs_end_to_end(script):
    member = MemberFactory()
    out = io.StringIO()
    results = demo(script, member.number, out=out)
    assert [results[step][0] for step in results] == [200, 201, 201, 409, 201, 200]
    assert results["lookup again"][1]["member"]["balance"] == 120  # 120.00 earns 120
    assert "replayed_request" in out.getvalue()
