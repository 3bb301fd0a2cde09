"""§30A text, part counting, refusal replies and quiet hours: pure functions."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from oscar_loyalty.apps.newsletter.channels import quiet
from oscar_loyalty.apps.newsletter.channels.refusal import is_refusal, normalise
from oscar_loyalty.apps.newsletter.channels.text import compose, count_segments, is_compliant

ISRAEL = ZoneInfo("Asia/Jerusalem")


@pytest.mark.parametrize(
    "text, encoding, parts, per_part",
    [
        ("", "GSM-7", 0, 160),
        ("a" * 160, "GSM-7", 1, 160),
        ("a" * 161, "GSM-7", 2, 153),
        ("a" * 306, "GSM-7", 2, 153),
        ("a" * 307, "GSM-7", 3, 153),
        ("€" * 80, "GSM-7", 1, 160),  # an extension character takes two septets
        ("€" * 81, "GSM-7", 2, 153),
        ("ש" * 70, "UCS-2", 1, 70),
        ("ש" * 71, "UCS-2", 2, 67),
        ("ש" * 134, "UCS-2", 2, 67),
        ("ש" * 135, "UCS-2", 3, 67),
        ("a" * 159 + "ש", "UCS-2", 3, 67),  # one Hebrew letter turns all of it to UCS-2
        ("😀" * 35, "UCS-2", 1, 70),  # outside the BMP: two code units each
        ("😀" * 36, "UCS-2", 2, 67),
    ],
)
def test_parts_are_counted_by_gsm_7_or_ucs_2_with_multipart_headers(
    text, encoding, parts, per_part
):
    segments = count_segments(text)
    assert (segments.encoding, segments.parts, segments.per_part) == (encoding, parts, per_part)


def test_an_advertising_sms_starts_with_the_word_names_the_sender_and_ends_with_the_refusal():
    text = compose("מבצע על מגפיים", sender="נעליים בע״מ", refusal="להסרה השב הסר")
    assert text == "פרסומת - נעליים בע״מ: מבצע על מגפיים\nלהסרה השב הסר"
    assert is_compliant(text, sender="נעליים בע״מ", refusal="להסרה השב הסר")
    assert count_segments(text).parts == 1  # 49 characters: one UCS-2 message


def test_a_body_that_already_starts_with_the_word_is_not_prefixed_twice():
    text = compose("פרסומת: מבצע", sender="Shop", refusal="STOP")
    assert text.count("פרסומת") == 1 and text.startswith("פרסומת - Shop: מבצע")
    assert not is_compliant("מבצע\nלהסרה השב הסר", sender="Shop", refusal="להסרה השב הסר")


@pytest.mark.parametrize(
    "reply",
    ["הסר", " הסר ", "הסר!", "הֲסֵר", "הסרה", "הסרה.", "STOP", "stop.", "Stop!!", "ＳＴＯＰ",
     "\u200fהסר\u200f", "unsubscribe", "הסר אותי"],
)  # fmt: skip
def test_refusal_replies_in_their_usual_spellings_are_recognised(reply):
    assert is_refusal(reply)


@pytest.mark.parametrize(
    "reply", ["", "תודה", "אל תסירו אותי", "stop sending the wrong size", "stopwatch", "הסרט"]
)
def test_other_replies_are_not_refusals(reply):
    assert not is_refusal(reply)


def test_normalising_removes_points_marks_and_case():
    assert normalise("  ‏הֲסֵרָה!! ") == "הסרה"
    assert normalise("S.T.O.P") == "s t o p"


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=ISRAEL)


@pytest.mark.parametrize(
    "moment, allowed",
    [
        (at(2026, 12, 8, 12), at(2026, 12, 8, 12)),  # Tuesday noon
        (at(2026, 12, 8, 20), at(2026, 12, 9, 8)),  # night
        (at(2026, 12, 9, 7, 59), at(2026, 12, 9, 8)),
        (at(2026, 12, 11, 15), at(2026, 12, 13, 8)),  # Friday afternoon → Shabbat → night
        (at(2026, 12, 12, 21), at(2026, 12, 13, 8)),  # Saturday night after 20:00 is night
        (at(2026, 12, 24, 21), at(2026, 12, 27, 8)),  # Thu night, quiet Friday, Shabbat, night
    ],
)
def test_quiet_hours_shabbat_and_quiet_dates_move_a_send_to_the_next_allowed_time(
    settings, moment, allowed
):
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2026-12-25"]
    assert quiet.next_allowed(moment, ISRAEL) == allowed


def test_without_night_hours_shabbat_ends_on_saturday_evening(settings):
    settings.OSCAR_LOYALTY_QUIET_HOURS = None
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    assert quiet.next_allowed(at(2026, 12, 11, 15), ISRAEL) == at(2026, 12, 12, 20)
    assert quiet.next_allowed(at(2026, 12, 11, 13), ISRAEL) == at(2026, 12, 11, 13)


def test_quiet_hours_are_read_in_the_members_time_zone():
    utc_noon = datetime(2026, 12, 8, 19, 0, tzinfo=UTC)  # 21:00 in Israel, 14:00 in New York
    assert quiet.next_allowed(utc_noon, ZoneInfo("America/New_York")) == utc_noon
    assert quiet.next_allowed(utc_noon, ISRAEL) == at(2026, 12, 9, 8)


# Israel's holidays from the ``holidays`` package (extra ``sms``, in ``test``): its real
# 2026 dates. Rosh Hashanah is Saturday 12 and Sunday 13 September, Yom Kippur Monday 21,
# Shavuot Friday 22 May.


def test_the_package_marks_the_holiday_dates_these_tests_use():
    dates = quiet.quiet_dates(2026)
    assert {
        date(2026, 9, 12),
        date(2026, 9, 13),
        date(2026, 9, 21),
        date(2026, 5, 22),
    } <= dates
    assert date(2026, 9, 20) not in dates  # the eve itself is not a holiday date
    assert date(2026, 9, 16) not in dates


@pytest.mark.parametrize(
    "moment, allowed",
    [
        (at(2026, 9, 21, 12), at(2026, 9, 22, 8)),  # Yom Kippur noon → ends 20:00 → night
        (at(2026, 9, 20, 15), at(2026, 9, 22, 8)),  # Erev Yom Kippur afternoon
        (at(2026, 9, 20, 13, 59), at(2026, 9, 20, 13, 59)),  # the eve's morning is allowed
        (at(2026, 9, 11, 15), at(2026, 9, 14, 8)),  # Friday → Rosh Hashanah on Shabbat and Sunday
        (at(2026, 9, 13, 12), at(2026, 9, 14, 8)),  # Rosh Hashanah's second day
        (at(2026, 9, 16, 12), at(2026, 9, 16, 12)),  # an ordinary Wednesday
    ],
)
def test_israeli_holidays_and_their_eves_are_quiet_like_shabbat(settings, moment, allowed):
    settings.OSCAR_LOYALTY_QUIET_DATES = ()
    assert quiet.next_allowed(moment, ISRAEL) == allowed


def test_without_night_hours_a_holiday_ends_at_the_saturday_evening_hour(settings):
    settings.OSCAR_LOYALTY_QUIET_DATES = ()
    settings.OSCAR_LOYALTY_QUIET_HOURS = None
    # Yom Kippur ends at QUIET_SHABBAT_END on its day.
    assert quiet.next_allowed(at(2026, 9, 20, 15), ISRAEL) == at(2026, 9, 21, 20)
    # Rosh Hashanah's two days stay quiet throughout: Shabbat's end does not open Sunday.
    assert quiet.next_allowed(at(2026, 9, 11, 15), ISRAEL) == at(2026, 9, 13, 20)
    assert quiet.next_allowed(at(2026, 9, 12, 21), ISRAEL) == at(2026, 9, 13, 20)
    # Shavuot on Friday runs into Shabbat: quiet from Thursday 14:00 to Saturday 20:00.
    assert quiet.next_allowed(at(2026, 5, 21, 15), ISRAEL) == at(2026, 5, 23, 20)


def test_a_holiday_eve_is_read_by_the_members_own_clock(settings):
    settings.OSCAR_LOYALTY_QUIET_DATES = ()
    moment = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)  # 15:00 in Israel, 08:00 in New York
    assert quiet.next_allowed(moment, ZoneInfo("America/New_York")) == moment
    assert quiet.next_allowed(moment, ISRAEL) == at(2026, 9, 22, 8)


def test_without_the_package_the_listed_quiet_dates_and_their_eves_are_kept(settings, monkeypatch):
    monkeypatch.setattr(quiet, "holidays_package", lambda: None)
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2026-09-21"]
    assert quiet.next_allowed(at(2026, 9, 20, 15), ISRAEL) == at(2026, 9, 22, 8)
    # The list replaces the package's calendar: Rosh Hashanah's Sunday is not on it.
    assert quiet.next_allowed(at(2026, 9, 13, 12), ISRAEL) == at(2026, 9, 13, 12)


def test_without_the_package_or_a_list_holidays_allow_sends(settings, monkeypatch):
    # The gap the system check W_QUIET_HOLIDAYS warns about.
    monkeypatch.setattr(quiet, "holidays_package", lambda: None)
    settings.OSCAR_LOYALTY_QUIET_DATES = ()
    assert quiet.next_allowed(at(2026, 9, 21, 12), ISRAEL) == at(2026, 9, 21, 12)


VONAGE = "oscar_loyalty.apps.newsletter.channels.vonage.VonageBackend"


def test_the_check_warns_when_a_real_backend_sends_and_holidays_are_unknown(settings, monkeypatch):
    from django.core.checks import registry

    from oscar_loyalty.apps.newsletter import checks

    assert checks.check_quiet_holidays in registry.registry.get_checks()
    settings.OSCAR_LOYALTY_QUIET_DATES = ()
    settings.OSCAR_LOYALTY_WHATSAPP_BACKEND = {"BACKEND": VONAGE, "OPTIONS": {}}
    assert checks.check_quiet_holidays() == []  # the package is installed

    monkeypatch.setattr(quiet, "holidays_package", lambda: None)
    [warning] = checks.check_quiet_holidays()
    assert warning.id == "oscar_loyalty.W_QUIET_HOLIDAYS"
    assert "install oscar-loyalty[sms]" in warning.msg

    settings.OSCAR_LOYALTY_QUIET_DATES = ["2026-09-21"]
    assert checks.check_quiet_holidays() == []


def test_the_check_is_silent_while_only_the_test_backend_sends(settings, monkeypatch):
    from oscar_loyalty.apps.newsletter import checks

    monkeypatch.setattr(quiet, "holidays_package", lambda: None)
    settings.OSCAR_LOYALTY_QUIET_DATES = ()
    assert checks.check_quiet_holidays() == []
