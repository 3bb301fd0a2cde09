"""A headless checkout: django-oscar-api's basket and checkout, the club API's points.

The member signs in with a token (a mobile app), puts products into the
basket and checks out through oscarapi alone; the points go on the basket
through the club API. The order's task runs as the worker runs it (the
database queue, ``db_worker --batch``), and the club API then shows the
points spent and earned.
"""

from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.management import call_command
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oscar_loyalty.apps.points.models import PointsRedemption
from tests.apps.points.conftest import credit
from tests.checkout import ensure_country

from .conftest import url

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not apps.is_installed("oscarapi"),
        reason="django-oscar-api is not installed (pip install 'oscar-loyalty[oscarapi]'); "
        "CI installs it with the test extra",
    ),
]

Order = get_model("order", "Order")

ADDRESS = {
    "first_name": "Dana",
    "last_name": "Levi",
    "line1": "1 Rothschild Boulevard",
    "line4": "Tel Aviv",
    "postcode": "6100000",
    "country": "http://testserver/api/countries/IL/",
}


@pytest.fixture
def database_queue(settings):
    """The sandbox's queue: the order's task waits in the database for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(monkeypatch):
    """What ``manage.py db_worker`` does in production: every task that is due, once.

    The worker's own loop; only its recycling of database connections is left
    out (it would close the test's transaction, which holds the order).
    """
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    return list(DBTaskResult.objects.values_list("status", flat=True))


def mobile_app(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_token_checkout_through_oscarapi_spends_and_earns_the_points(
    member, points_settings, database_queue, monkeypatch
):
    ensure_country()
    credit(member, 5000)
    product = create_product(price=D("100.00"), num_in_stock=10)
    app = mobile_app(member.user)

    added = app.post(
        "/api/basket/add-product/",
        {"url": f"http://testserver/api/products/{product.pk}/", "quantity": 1},
        format="json",
    )
    assert added.status_code == 200, added.content[:500]
    basket_url = added.json()["url"]

    applied = app.post(url("basket-points"), {"points": 2000}, format="json")
    assert applied.status_code == 200, applied.content
    assert applied.json()["basket_total"]["amount"] == "80.00"
    # oscarapi's own basket sees the discount: the points offer applies there too.
    assert D(app.get("/api/basket/").json()["total_incl_tax"]) == D("80.00")

    placed = app.post(
        "/api/checkout/",
        {"basket": basket_url, "total": "80.00", "shipping_address": ADDRESS},
        format="json",
    )
    assert placed.status_code == 200, placed.content[:1000]
    order = Order.objects.get(number=placed.json()["number"])
    assert order.user == member.user and order.total_incl_tax == D("80.00")
    redemption = PointsRedemption.objects.get(order=order)
    assert (redemption.status, redemption.captured_points) == (PointsRedemption.CAPTURED, 2000)

    # Until the worker runs, the points are held by the order (not spendable
    # elsewhere) and nothing is earned yet.
    before = app.get(url("points")).json()
    assert (before["balance"], before["available"], before["reserved"]) == (5000, 3000, 2000)
    assert run_worker(monkeypatch) == ["SUCCESSFUL"]
    points = app.get(url("points")).json()
    assert points["balance"] == 3000 + 80  # 1 point per unit paid, spendable at once
    history = app.get(url("points-history")).json()["results"]
    assert [(e["kind"], e["points"], e["order_number"]) for e in history[:2]] == [
        ("earn", 80, order.number),
        ("redeem", -2000, order.number),
    ]
    assert (points["available"], points["reserved"]) == (3080, 0)


def test_the_checkout_refuses_a_total_that_ignores_the_points(member, points_settings):
    # oscarapi checks the posted total against the basket's, with the points applied.
    ensure_country()
    credit(member, 5000)
    product = create_product(price=D("100.00"), num_in_stock=10)
    app = mobile_app(member.user)
    basket_url = app.post(
        "/api/basket/add-product/",
        {"url": f"http://testserver/api/products/{product.pk}/", "quantity": 1},
        format="json",
    ).json()["url"]
    app.post(url("basket-points"), {"points": 2000}, format="json")
    refused = app.post(
        "/api/checkout/",
        {"basket": basket_url, "total": "100.00", "shipping_address": ADDRESS},
        format="json",
    )
    assert refused.status_code == 406
    assert not Order.objects.exists()
    assert PointsRedemption.objects.get().status == PointsRedemption.RESERVED


def test_a_trusted_server_names_the_session_in_a_header_for_both_apis(member, points_settings):
    # oscarapi's HeaderSessionMiddleware: the server names the session
    # (``Session-Id: SID:ANON:<host>:<its id>``), signs the shopper in through
    # oscarapi's login, then sends ``SID:AUTH:...``: no cookie and no CSRF token.
    # The club API reads the same session.
    member.user.set_password("a-long-passphrase-1")
    member.user.save()
    credit(member, 700)
    server = APIClient(enforce_csrf_checks=True)
    signed_in = server.post(
        "/api/login/",
        {"username": member.user.email, "password": "a-long-passphrase-1"},
        format="json",
        HTTP_SESSION_ID="SID:ANON:testserver:checkout-server-7",
    )
    assert signed_in.status_code == 200, signed_in.content[:500]
    server.cookies.clear()  # the header alone carries the session
    header = {"HTTP_SESSION_ID": "SID:AUTH:testserver:checkout-server-7"}
    assert server.get(url("points"), **header).json()["balance"] == 700
    product = create_product(price=D("100.00"), num_in_stock=10)
    added = server.post(
        "/api/basket/add-product/",
        {"url": f"http://testserver/api/products/{product.pk}/", "quantity": 1},
        format="json",
        **header,
    )
    assert added.status_code == 200, added.content[:500]
    applied = server.post(url("basket-points"), {"points": 500}, format="json", **header)
    assert applied.status_code == 200, applied.content
    assert applied.json()["basket_total"]["amount"] == "95.00"
    # Without the header (nor the cookie its answers set) the server is anonymous;
    # another realm is refused.
    server.cookies.clear()
    assert server.get(url("points")).status_code == 401
    other = {"HTTP_SESSION_ID": "SID:AUTH:evil.example:checkout-server-7"}
    assert server.get(url("points"), **other).status_code == 403
