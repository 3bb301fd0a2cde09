"""Wrong referral settings are reported by ``manage.py check``, naming the setting."""

from oscar_loyalty.apps.referrals.checks import check_referral_settings


def ids(settings_errors):
    return {error.id: error.msg for error in settings_errors}


def test_the_default_settings_pass():
    assert check_referral_settings() == []


def test_wrong_values_name_the_exact_setting(settings):
    settings.OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD = "cash"
    settings.OSCAR_LOYALTY_REFERRALS_REFERRER_REWARD = "voucher"
    settings.OSCAR_LOYALTY_REFERRALS_MONTHLY_CAP = 0
    settings.OSCAR_LOYALTY_REFERRALS_PAYMENT_FINGERPRINT = "no.such.function"
    settings.OSCAR_LOYALTY_REFERRALS_RATE_LIMIT = (0, 60)
    found = ids(check_referral_settings())
    assert (
        "OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD must be one of"
        in (found["oscar_loyalty.E_REFERRALS_FRIEND_REWARD"])
    )
    assert (
        'REFERRALS_REFERRER_REWARD is "voucher"'
        in (found["oscar_loyalty.E_REFERRALS_REFERRER_OFFER"])
    )
    assert set(found) >= {
        "oscar_loyalty.E_REFERRALS_MONTHLY_CAP",
        "oscar_loyalty.E_REFERRALS_PAYMENT_FINGERPRINT",
        "oscar_loyalty.E_REFERRALS_RATE_LIMIT",
    }
