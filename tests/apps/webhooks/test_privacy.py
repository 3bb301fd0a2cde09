"""Erasing a member deletes the events told about them; the export lists them."""

import pytest
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership import services as membership
from oscar_loyalty.apps.privacy import erasure, export
from oscar_loyalty.apps.privacy.models import ErasureRequest
from oscar_loyalty.apps.webhooks import events
from oscar_loyalty.apps.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event

pytestmark = pytest.mark.django_db


def test_erasing_a_member_deletes_their_events_deliveries_and_attempts_and_no_one_elses(
    free_plan,
):
    Endpoint.objects.create(
        name="CRM", url="http://127.0.0.1:9/hooks", events=list(events.EVENT_TYPES)
    )
    erased = membership.join_club(UserFactory(), plan=free_plan)
    kept = membership.join_club(UserFactory(), plan=free_plan)
    delivery = Delivery.objects.get(event__member_key=f"user:{erased.user_id}")
    DeliveryAttempt.objects.create(delivery=delivery, number=1, status_code=500)
    listed = export.build_export(erased.user)["sections"]["webhooks"]["events"]
    assert [item["type"] for item in listed] == ["member.joined"]

    erasure.erase_user(erased.user, source=ErasureRequest.MEMBER)

    assert not Event.objects.filter(member_key=f"user:{erased.user_id}").exists()
    assert not DeliveryAttempt.objects.exists()
    survivor = Event.objects.get()
    assert survivor.member_key == f"user:{kept.user_id}"
    assert survivor.payload["data"]["member"]["number"] == kept.number
    assert Delivery.objects.filter(event=survivor).count() == 1
