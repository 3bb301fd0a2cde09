"""The headless client (examples/headless_client.py) over real HTTP against a live server.

Only the APIs: the script registers and orders through django-oscar-api and
joins, earns and spends through the club API. The worker's step (the order's
task, waiting in the database queue) is done here, where the script waits.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.management import call_command
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from examples import headless_client
from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.wording import MARKETING, get_wording
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points.models import PointsAccount
from tests.checkout import ensure_country

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not apps.is_installed("oscarapi"),
        reason="django-oscar-api is not installed (pip install 'oscar-loyalty[oscarapi]'); "
        "CI installs it with the test extra",
    ),
]

Order = get_model("order", "Order")


def worker_then_read(client, above):
    """The store's worker runs the queued order tasks; then the script reads its points."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    return client.get("/api/club/me/points/")


def test_the_client_joins_orders_earns_applies_its_points_and_orders_again(
    live_server, free_plan, points_settings, settings, capsys
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ensure_country()
    product = create_product(price=D("100.00"), num_in_stock=10)

    seen = headless_client.run(
        live_server.url,
        email="dana@example.com",
        password="a-long-passphrase-1",
        product_id=product.pk,
        wait=worker_then_read,
    )

    member = Member.objects.get(user__email="dana@example.com")
    assert seen["membership"]["number"] == member.number and member.plan == free_plan
    consent = ConsentRecord.objects.get(user=member.user)
    assert (consent.channel, consent.source) == ("email", "join")
    assert consent.wording_text == get_wording(MARKETING, "email").text
    first, second = (Order.objects.get(number=o["number"]) for o in seen["orders"])
    assert first.total_incl_tax == D("100.00")
    assert seen["earned"]["available"] == 100  # 1 point per unit, spendable at once
    assert second.total_incl_tax == D("99.00")  # the 100 points: 1.00 off
    assert (seen["points"]["balance"], seen["points"]["reserved"]) == (100, 100)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    # The second order's task: the 100 points spent, its 99.00 earned.
    assert PointsAccount.objects.get(member=member).balance == 99
    out = capsys.readouterr().out
    assert "Joined: member" in out and "points applied: 1.00 off" in out


def test_the_script_reports_a_refusal_as_the_store_answered_it(
    live_server, free_plan, settings, capsys
):
    # A wrong password for an existing account: the club API's 400 problem, exit 1.
    from oscar.test.factories import UserFactory

    UserFactory(email="taken@example.com")
    arguments = ["--base-url", live_server.url, "--email", "taken@example.com"]
    code = headless_client.main([*arguments, "--password", "nope-123456"])
    assert code == 1
    assert "invalid-credentials" in capsys.readouterr().err
