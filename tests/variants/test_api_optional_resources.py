"""The member API mounts an optional app's resources only where the store installs the app."""

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse

pytestmark = [pytest.mark.smoke_journey]

OPTIONAL = {
    "referrals": ["referral"],
    "consent": ["consent"],
    "privacy": ["privacy-export", "privacy-erasure"],
}


def test_the_api_mounts_each_optional_resource_only_with_its_app():
    if not apps.is_installed("oscar_loyalty.apps.api"):
        pytest.skip("this store has no member API")
    for app, names in OPTIONAL.items():
        installed = apps.is_installed(f"oscar_loyalty.apps.{app}")
        for name in names:
            try:
                reverse(f"loyalty_api:{name}")
                mounted = True
            except NoReverseMatch:
                mounted = False
            assert mounted == installed, (app, name)
    # The resources every store has.
    for name in ("profile", "basket-earn", "gifts", "staff-member-lookup"):
        reverse(f"loyalty_api:{name}")
