"""The till page in a real browser: the camera QR scanner, and typing where it is missing.

Chromium on a server has no camera and its BarcodeDetector needs platform
support, so the first test stands in for both at the browser's edge (a
canvas stream for ``getUserMedia`` and a detector that "sees" the card's QR
payload) and runs the page's real script against them.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from tests.apps.partners.conftest import grant
from tests.factories import MemberFactory, TierFactory

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FAKE_CAMERA_AND_DETECTOR = """
(() => {
  const payload = %r;
  window.BarcodeDetector = class {
    static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
    constructor(options) { this.formats = options.formats; }
    detect(source) { return Promise.resolve([{format: "qr_code", rawValue: payload}]); }
  };
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const paint = () => {
    const context = canvas.getContext("2d");
    context.fillStyle = "#" + Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0");
    context.fillRect(0, 0, 64, 64);
  };
  paint();
  setInterval(paint, 100);
  navigator.mediaDevices.getUserMedia = () => Promise.resolve(canvas.captureStream(5));
})();
"""


def cashier_session(steps):
    # A local --reuse-db run may restore a snapshot taken after a flush (no Site row);
    # the order the till writes needs the current Site.
    Site.objects.get_or_create(pk=django_settings.SITE_ID, defaults={"domain": "127.0.0.1"})
    Site.objects.clear_cache()
    user = grant(UserFactory(is_staff=True, first_name="Cashier"), "use_instore_till")
    client = Client()
    client.force_login(user)
    steps.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": steps.base_url}]
    )
    return user


def test_the_cashier_scans_a_card_and_records_a_purchase(steps, settings):
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    member = MemberFactory(user__first_name="Noa", tier=TierFactory(name="Gold"))
    cashier_session(steps)
    page = steps.page
    page.add_init_script(FAKE_CAMERA_AND_DETECTOR % member.number)
    steps.goto(reverse("loyalty_dashboard:loyalty-instore"))
    page.wait_for_selector("[data-loyalty-scan-start]", state="visible")
    steps.shot("till with scanner")
    with page.expect_navigation():
        page.click("[data-loyalty-scan-start]")
    card = page.inner_text("#loyalty-instore-member")
    assert "Noa" in card and "Gold" in card
    steps.shot("member found by qr")
    page.fill("#id_amount", "59.90")
    page.fill("#id_receipt", "T1-4410")
    steps.submit("#loyalty-instore-purchase button[type=submit]")
    assert "Purchase recorded as order IS-T1-4410; it earns 59 points." in page.inner_text("body")
    steps.shot("purchase recorded")
    order = Order.objects.get()
    assert (order.user_id, order.loyalty_channel.channel) == (member.user_id, "in_store")


def test_without_barcodedetector_the_cashier_types_the_number(steps):
    member = MemberFactory(user__first_name="Avi")
    cashier_session(steps)
    page = steps.page
    page.add_init_script("delete window.BarcodeDetector;")
    steps.goto(reverse("loyalty_dashboard:loyalty-instore"))
    assert not page.is_visible("[data-loyalty-scan-start]")
    assert page.is_visible("[data-loyalty-scanner-fallback]")
    page.fill("#id_number", member.formatted_number)
    steps.submit("#loyalty-card-lookup button[type=submit]")
    assert "Avi" in page.inner_text("#loyalty-instore-member")
    steps.shot("typed number")
