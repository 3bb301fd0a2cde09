"""The SMS text's live counter in Wagtail's campaign form: typed Hebrew and English give the
characters, encoding and parts that ``channels.text.count_segments`` gives for the message
as sent (prefix, store name and refusal included)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.newsletter.channels.text import compose, count_segments

from .test_staff_pages import staff_session, use_language

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SENDER, REFUSAL = "Shoes", "להסרה השב הסר"


def counted(steps) -> tuple[int, int, str]:
    output = steps.page.locator("output.loyalty-sms-counter")
    return (
        int(output.get_attribute("data-units")),
        int(output.get_attribute("data-parts")),
        output.get_attribute("data-encoding"),
    )


def python_count(text: str) -> tuple[int, int, str]:
    segments = count_segments(compose(text, sender=SENDER, refusal=REFUSAL))
    return segments.units, segments.parts, segments.encoding


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_counter_counts_typed_hebrew_and_english_as_the_sending_code_does(
    steps, settings, language
):
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = SENDER
    settings.OSCAR_LOYALTY_SMS_REFUSAL_TEXT = REFUSAL
    use_language(steps, language)
    staff_session(steps, UserFactory(is_staff=True, is_superuser=True))
    steps.goto(reverse("loyalty_campaigns:add"))
    box = steps.page.locator("textarea[name=sms_text]")
    output = steps.page.locator("output.loyalty-sms-counter")
    assert counted(steps) == python_count("")

    box.press_sequentially("Sale {first_name}: 20% off €")
    assert counted(steps) == python_count("Sale {first_name}: 20% off €")
    box.press_sequentially(" — מבצע על מגפיים")
    text = "Sale {first_name}: 20% off € — מבצע על מגפיים"
    assert counted(steps) == python_count(text)
    assert counted(steps)[2] == "UCS-2"

    # Across a part boundary: three parts of 67 once the whole passes 134 units.
    long_text = "א" * (134 - python_count("")[0])
    box.fill(long_text)
    assert counted(steps) == python_count(long_text) == (134, 2, "UCS-2")
    box.press_sequentially("ב")
    assert counted(steps) == (135, 3, "UCS-2")
    assert "135" in output.inner_text()
    output.scroll_into_view_if_needed()
    steps.shot(f"sms counter {language}")
