"""The voucher offer behind the new customer's gift, created on first use.

10 % off a first order, on a range of every product, as a voucher offer: it
gives nothing by itself, only the single-use vouchers issued to referred
customers use it. It is made the first time a friend's voucher is issued,
never by a migration: rows made at ``migrate`` took primary keys and a place
in the offer and range lists of stores (and of Oscar's own tests) that
expect only their own rows. Staff change the discount or its range in
Oscar's offers dashboard afterwards; an existing offer is used as it is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

ConditionalOffer = get_model("offer", "ConditionalOffer")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
Range = get_model("offer", "Range")

#: The default of ``OSCAR_LOYALTY_REFERRALS_FRIEND_OFFER``: only this slug is
#: created on demand; a store that names its own offer creates it itself.
DEFAULT_SLUG = "referral-friend"
RANGE_SLUG = "referral-friend-everything"
FRIEND_PERCENT = 10  # the default friend offer: 10% off the first order


def _create() -> None:
    everything, _created = Range.objects.get_or_create(
        slug=RANGE_SLUG,
        defaults={"name": _("Everything (refer a friend)"), "includes_all_products": True},
    )
    ConditionalOffer.objects.create(
        name=_("Friend's first order"),
        slug=DEFAULT_SLUG,
        # A named placeholder: a bare "10% off" reads as a "% o" conversion to gettext.
        description=_("%(percent)s%% off the first order of a customer a club member referred.")
        % {"percent": FRIEND_PERCENT},
        offer_type=ConditionalOffer.VOUCHER,
        exclusive=True,
        status=ConditionalOffer.OPEN,
        max_basket_applications=1,
        condition=Condition.objects.create(type=Condition.COUNT, value=1, range=everything),
        benefit=Benefit.objects.create(
            type=Benefit.PERCENTAGE, value=FRIEND_PERCENT, range=everything
        ),
    )


def ensure_friend_offer(slug: str) -> None:
    """Create the default friend offer if ``slug`` names it and it does not exist yet.

    Two first referrals at once: the offer's (and the range's) unique slug
    lets one insert win; the other's savepoint is rolled back and it uses
    the winner's row.
    """
    if slug != DEFAULT_SLUG or ConditionalOffer.objects.filter(slug=slug).exists():
        return
    try:
        # Stored text: in the store's language, whoever happens to be first.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            _create()
    except IntegrityError:
        if not ConditionalOffer.objects.filter(slug=slug).exists():
            raise
