"""The staff pages: endpoints with event checkboxes, the secret, the log, resend, resume."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.webhooks.models import Delivery, DeliveryAttempt, Endpoint
from tests.factories import MemberFactory

from .helpers import join_events, make_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def url(name, **kwargs):
    return reverse(f"loyalty_dashboard:loyalty-webhooks-{name}", kwargs=kwargs)


def test_staff_add_an_endpoint_with_event_checkboxes(client, staff):
    page = client.get(url("create"))
    assert page.status_code == 200
    assert b'type="checkbox"' in page.content and b"points.expired" in page.content
    response = client.post(
        url("create"),
        {"name": "CRM", "url": "https://crm.example.com/hooks", "events": ["member.joined"]},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response.url == url("detail", pk=endpoint.pk)
    assert endpoint.events == ["member.joined"] and endpoint.secret.startswith("whsec_")
    detail = client.get(url("detail", pk=endpoint.pk))
    assert endpoint.secret in detail.content.decode()


@pytest.mark.parametrize(
    "hostile", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://x.example/"]
)
def test_a_url_that_is_not_http_is_refused_by_the_form(client, staff, hostile):
    response = client.post(
        url("create"), {"name": "X", "url": hostile, "events": ["member.joined"]}
    )
    assert response.status_code == 200 and not Endpoint.objects.exists()


def test_the_delivery_log_shows_response_and_time_and_resend_requeues(client, staff):
    endpoint = make_endpoint("https://crm.example.com/hooks")
    join_events([MemberFactory()])
    row = Delivery.objects.get()
    row.status, row.attempts, row.last_status_code = Delivery.FAILED, 3, 502
    row.save()
    DeliveryAttempt.objects.create(delivery=row, number=3, status_code=502, duration_ms=1234)
    page = client.get(url("detail", pk=endpoint.pk)).content.decode()
    assert "502" in page and "1234" in page and "member.joined" in page
    response = client.post(url("resend", pk=endpoint.pk, delivery_pk=row.pk))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Delivery.PENDING and row.attempts == 0


def test_staff_rotate_the_secret_and_resume_a_paused_endpoint(client, staff):
    endpoint = make_endpoint("https://crm.example.com/hooks")
    old = endpoint.secret
    client.post(url("rotate", pk=endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    Endpoint.objects.filter(pk=endpoint.pk).update(status=Endpoint.PAUSED, consecutive_failures=9)
    listing = client.get(url("list")).content.decode()
    assert 'id="loyalty-webhooks-paused"' in listing
    client.post(url("resume", pk=endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.status == Endpoint.ACTIVE and endpoint.consecutive_failures == 0


def test_staff_without_the_webhook_permission_are_refused(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_member", content_type__app_label="loyalty_membership"
        )
    )
    client.force_login(user)
    endpoint = make_endpoint("https://crm.example.com/hooks")
    assert client.get(url("list")).status_code == 403
    assert client.get(url("detail", pk=endpoint.pk)).status_code == 403
