import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.apps.segments.models import Segment

pytestmark = pytest.mark.django_db

TEL_AVIV_SHOES = {
    "op": "and",
    "rules": [
        {"type": "city", "params": {"cities": "Tel Aviv"}},
        {"type": "bought", "params": {"categories": [], "days": "90"}},
        {"type": "consent", "params": {"channel": "email", "status": "granted"}},
    ],
}


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True, email="staff@example.com")
    client.force_login(user)
    return user


def tel_aviv_shoes(catalogue) -> dict:
    rules = json.loads(json.dumps(TEL_AVIV_SHOES))
    rules["rules"][1]["params"]["categories"] = [str(catalogue["shoes"].pk)]
    return rules


def count(client, rules) -> tuple[int, dict]:
    response = client.post(
        reverse("loyalty_dashboard:loyalty-segment-count"), {"rules": json.dumps(rules)}
    )
    return response.status_code, response.json()


def test_the_count_endpoint_counts_while_editing_and_explains_invalid_rules(
    client, staff, club, catalogue
):
    assert count(client, tel_aviv_shoes(catalogue)) == (200, {"count": 1})
    assert count(client, {"op": "and", "rules": []}) == (200, {"count": len(club)})
    status, body = count(client, {"op": "and", "rules": [{"type": "age", "params": {}}]})
    assert status == 400
    assert body["errors"] == ["Rule 1 (Age range): Give a minimum, a maximum or both."]
    response = client.post(
        reverse("loyalty_dashboard:loyalty-segment-count"), {"rules": "{not json"}
    )
    assert response.status_code == 400 and "JSON" in response.json()["errors"][0]
    # A JSON body works as well as a form field.
    response = client.post(
        reverse("loyalty_dashboard:loyalty-segment-count"),
        json.dumps(tel_aviv_shoes(catalogue)),
        content_type="application/json",
    )
    assert response.json() == {"count": 1}


def test_staff_build_the_tel_aviv_shoes_segment_see_its_count_and_send_it_a_newsletter(
    client,
    staff,
    club,
    catalogue,
    newsletter,
    send_now,
    mailoutbox,
):
    # The editor page loads with the builder's script and the criteria it draws.
    page = client.get(reverse("loyalty_dashboard:loyalty-segment-create"))
    assert page.status_code == 200
    assert b"segment-builder.js" in page.content
    assert any(c["key"] == "bought" for c in page.context["schema"])

    rules = tel_aviv_shoes(catalogue)
    assert count(client, rules) == (200, {"count": 1})
    response = client.post(
        reverse("loyalty_dashboard:loyalty-segment-create"),
        {
            "name": "Tel Aviv shoe buyers",
            "description": "Bought shoes in the last 90 days, consented to email",
            "rules": json.dumps(rules),
        },
    )
    segment = Segment.objects.get(name="Tel Aviv shoe buyers")
    assert response.status_code == 302
    assert segment.last_count == 1 and segment.created_by == staff
    assert segment.rules["rules"][1] == {
        "type": "bought",
        "params": {"categories": [catalogue["shoes"].pk], "days": 90},
    }
    listing = client.get(reverse("loyalty_dashboard:loyalty-segment-list"))
    assert b"Tel Aviv shoe buyers" in listing.content
    preview = client.get(reverse("loyalty_dashboard:loyalty-segment-members", args=[segment.pk]))
    assert list(preview.context["members"]) == [club["tlv_shoes"]]

    # A newsletter to the segment reaches exactly that member.
    campaign = Campaign.objects.create(
        name="Shoe news for Tel Aviv", newsletter=newsletter, segment=segment
    )
    assert send_now(campaign) == 1
    assert [m.to for m in mailoutbox] == [["tlv@example.com"]]
    assert list(OutboxMessage.objects.values_list("user_id", flat=True)) == [
        club["tlv_shoes"].user_id
    ]


def test_a_segment_never_widens_a_newsletter_past_consent(
    club,
    catalogue,
    newsletter,
    send_now,
    mailoutbox,
):
    # "Tel Aviv shoe buyers" without the consent condition still mails only consenting members.
    rules = tel_aviv_shoes(catalogue)
    rules["rules"] = rules["rules"][:2]
    from oscar_loyalty.apps.segments import services

    segment = services.save_segment(name="No consent rule", rules=rules)
    assert segment.last_count == 2  # tlv_shoes and tlv_no_consent
    campaign = Campaign.objects.create(name="Send", newsletter=newsletter, segment=segment)
    assert send_now(campaign) == 1
    assert [m.to for m in mailoutbox] == [["tlv@example.com"]]


def test_invalid_rules_are_shown_on_the_form_and_nothing_is_saved(client, staff, club):
    response = client.post(
        reverse("loyalty_dashboard:loyalty-segment-create"),
        {"name": "Broken", "rules": json.dumps({"op": "and", "rules": [{"type": "nope"}]})},
    )
    assert response.status_code == 200
    assert "there is no condition called “nope”" in response.content.decode()
    assert not Segment.objects.exists()


def test_editing_a_segment_recounts_it(client, staff, club):
    from oscar_loyalty.apps.segments import services

    segment = services.save_segment(
        name="Haifa",
        rules={"op": "and", "rules": [{"type": "city", "params": {"cities": "Haifa"}}]},
    )
    page = client.get(reverse("loyalty_dashboard:loyalty-segment-update", args=[segment.pk]))
    assert json.loads(page.context["form"]["rules"].value()) == segment.rules
    rules = {"op": "or", "rules": [
        {"type": "city", "params": {"cities": "Haifa"}},
        {"type": "customer_type", "params": {"customer_type": "business"}},
    ]}  # fmt: skip
    client.post(
        reverse("loyalty_dashboard:loyalty-segment-update", args=[segment.pk]),
        {"name": "Haifa or business", "rules": json.dumps(rules)},
    )
    segment.refresh_from_db()
    assert (segment.name, segment.last_count) == ("Haifa or business", 2)


def test_a_segment_used_by_a_campaign_cannot_be_deleted(client, staff, newsletter):
    from oscar_loyalty.apps.segments import services

    used = services.save_segment(name="Used", rules={"op": "and", "rules": []})
    Campaign.objects.create(name="Send", newsletter=newsletter, segment=used)
    unused = services.save_segment(name="Unused", rules={"op": "and", "rules": []})
    client.post(reverse("loyalty_dashboard:loyalty-segment-delete", args=[used.pk]))
    client.post(reverse("loyalty_dashboard:loyalty-segment-delete", args=[unused.pk]))
    assert list(Segment.objects.values_list("name", flat=True)) == ["Used"]


def test_staff_without_segment_permissions_get_403(client, club):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    urls = [
        reverse("loyalty_dashboard:loyalty-segment-list"),
        reverse("loyalty_dashboard:loyalty-segment-create"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("loyalty_dashboard:loyalty-segment-count"), {}).status_code == 403
    user.user_permissions.add(
        Permission.objects.get(codename="view_segment", content_type__app_label="loyalty_segments")
    )
    client.force_login(user)
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[1]).status_code == 403  # viewing is not creating
    status, body = count(client, {"op": "and", "rules": []})
    assert (status, body) == (200, {"count": len(club)})
