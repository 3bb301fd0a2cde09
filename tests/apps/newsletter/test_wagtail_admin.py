"""The newsletter's staff pages in Wagtail: the send page linked, the product chooser, no
Oscar "Sort by" menu in the admin."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.newsletter.blocks import NewsletterBody, ProductBlock
from oscar_loyalty.apps.newsletter.models import Newsletter

pytestmark = pytest.mark.django_db

SORT_BY = 'name="sort_by"'
SNIPPETS = "wagtailsnippets_loyalty_newsletter_newsletter"


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def send_url(campaign):
    return reverse("loyalty_campaigns:progress", args=[campaign.pk])


def test_the_campaign_list_links_each_campaign_to_its_send_page(client, editor, campaign):
    page = client.get(reverse("loyalty_campaigns:index")).content.decode()
    assert f'href="{send_url(campaign)}"' in page
    assert f'data-loyalty-campaign-send="{campaign.pk}"' in page
    assert "Send, schedule or test" in page


def test_the_campaign_edit_view_has_the_send_page_as_a_header_button(client, editor, campaign):
    page = client.get(reverse("loyalty_campaigns:edit", args=[campaign.pk])).content.decode()
    assert f'href="{send_url(campaign)}"' in page


def test_without_the_change_permission_the_list_shows_no_send_button(client, campaign):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_campaign"),
    )
    client.force_login(user)
    response = client.get(reverse("loyalty_campaigns:index"))
    assert response.status_code == 200
    assert send_url(campaign) not in response.content.decode()


def test_no_wagtail_admin_page_shows_oscars_product_sort_menu(client, editor, campaign):
    for url in (
        reverse("loyalty_campaigns:index"),
        reverse("loyalty_campaigns:add"),
        reverse("loyalty_campaigns:edit", args=[campaign.pk]),
        send_url(campaign),
        reverse(f"{SNIPPETS}:list"),
        reverse(
            "wagtailsnippets_loyalty_newsletter_newsletter:edit", args=[campaign.newsletter_id]
        ),
        reverse("wagtailadmin_home"),
    ):
        assert SORT_BY not in client.get(url).content.decode(), url


def test_the_shop_keeps_oscars_search_form_with_its_sort_menu(rf):
    from oscar_loyalty.context_processors import search_form

    shop = search_form(rf.get(reverse("catalogue:index"), {"q": "boots"}))["search_form"]
    assert "sort_by" in shop.fields and shop["q"].value() == "boots"
    assert search_form(rf.get(reverse("loyalty_campaigns:index"))) == {}


def test_the_product_chooser_finds_browsable_products_by_title_or_upc(client, editor):
    boots = create_product(title="Desert boots", upc="BOOT-1")
    create_product(title="Hidden boots", is_public=False)
    create_product(title="Scarf", upc="SC-9")
    url = reverse("loyalty_product_chooser:choose_results")
    found = client.get(url, {"q": "boots"}).content.decode()
    assert "Desert boots" in found and "Hidden boots" not in found and "Scarf" not in found
    assert "Scarf" in client.get(url, {"q": "sc-9"}).content.decode()
    chosen = client.get(reverse("loyalty_product_chooser:chosen", args=[boots.pk]))
    assert json.loads(chosen.content)["result"]["title"] == "Desert boots"


def test_the_product_block_stores_the_chosen_products_id_and_renders_it():
    product = create_product(title="Desert boots")
    block = ProductBlock()
    value = block.to_python({"product": product.pk, "text": "Warm"})
    assert value["product"] == product
    assert block.get_prep_value(value) == {"product": product.pk, "text": "Warm"}
    assert "Desert boots" in block.render_text(value)
    assert "Desert boots" in block.render(value)


def test_the_newsletter_editor_offers_the_product_chooser(client, editor, newsletter):
    url = reverse("wagtailsnippets_loyalty_newsletter_newsletter:edit", args=[newsletter.pk])
    page = client.get(url).content.decode()
    assert reverse("loyalty_product_chooser:choose") in page


def test_migration_0007_keeps_product_blocks_of_earlier_newsletters_and_drafts(editor):
    product = create_product(title="Desert boots")
    old = [{"type": "product", "value": {"product_id": product.pk, "text": "Old"}, "id": "b1"}]
    newsletter = Newsletter.objects.create(title="Old", subject="Old", language="en", live=True)
    revision = newsletter.save_revision(user=editor)
    Newsletter.objects.filter(pk=newsletter.pk).update(body=old)
    content = revision.content
    assert isinstance(content["body"], str)  # a revision keeps the body as JSON text
    content["body"] = json.dumps(old)
    type(revision).objects.filter(pk=revision.pk).update(content=content)

    module = importlib.import_module(
        "oscar_loyalty.apps.newsletter.migrations.0007_product_block_chooser"
    )
    module.Migration.operations[0].migrate_stream_data_forward(django_apps, None)

    body = Newsletter.objects.get(pk=newsletter.pk).body
    assert body[0].value["product"] == product and body[0].value["text"] == "Old"
    revision.refresh_from_db()
    draft = json.loads(revision.content["body"])
    assert draft[0]["value"] == {"product": product.pk, "text": "Old"}
    assert NewsletterBody().to_python(draft)[0].value["product"] == product


def test_the_send_page_leads_back_to_the_campaign_list(client, editor, campaign):
    page = client.get(send_url(campaign)).content.decode()
    assert f'href="{reverse("loyalty_campaigns:index")}"' in page
