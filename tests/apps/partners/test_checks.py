from oscar_loyalty.apps.partners.checks import check_partner_settings


def test_good_partner_settings_pass_the_checks(settings):
    assert check_partner_settings() == []


def test_a_wrong_partner_setting_is_reported_by_name(settings):
    settings.OSCAR_LOYALTY_PARTNERS_TIMESTAMP_TOLERANCE = 0
    settings.OSCAR_LOYALTY_PARTNERS_RATE_LIMIT = (0, 60)
    settings.OSCAR_LOYALTY_INSTORE_ORDER_NUMBER_PREFIX = "X" * 30
    ids = {error.id for error in check_partner_settings()}
    assert ids == {
        "oscar_loyalty.E_PARTNERS_TIMESTAMP_TOLERANCE",
        "oscar_loyalty.E_PARTNERS_RATE_LIMIT",
        "oscar_loyalty.E_INSTORE_ORDER_NUMBER_PREFIX",
    }


def test_a_rate_limit_that_is_not_a_pair_is_reported(settings):
    settings.OSCAR_LOYALTY_PARTNERS_AUTH_FAILURE_LIMIT = 5
    messages = [error.msg for error in check_partner_settings()]
    assert messages == [
        "OSCAR_LOYALTY_PARTNERS_AUTH_FAILURE_LIMIT must be (attempts, seconds), "
        "both at least 1; it is 5."
    ]
