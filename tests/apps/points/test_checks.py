import pytest

from oscar_loyalty.apps.points.checks import check_points_settings


def messages():
    return [error.msg for error in check_points_settings()]


def test_the_default_settings_pass_the_checks():
    assert messages() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("POINTS_REDEEM_MAX_SHARE", "1.5"),
        ("POINTS_VALUE", "0"),
        ("POINTS_EXPIRY_MONTHS", 0),
        ("POINTS_PENDING_DAYS", -1),
        ("POINTS_EARNING_POLICY", "nowhere.Policy"),
        ("POINTS_ROUNDING", "ROUND_SIDEWAYS"),
        ("POINTS_BONUSES", {"join": -5}),
        ("POINTS_PER_UNIT", "lots"),
        ("POINTS_RANGE_MULTIPLIERS", {"sale": "-2"}),
        ("POINTS_CATEGORY_MULTIPLIERS", {"books": "many"}),
    ],
)
def test_a_wrong_setting_is_reported_by_its_exact_name(settings, name, value):
    setattr(settings, f"OSCAR_LOYALTY_{name}", value)
    assert any(message.startswith(f"OSCAR_LOYALTY_{name} ") for message in messages())
