"""Oscar's public offers page without the points offer.

The points offer is a site offer only because Oscar applies nothing else by
itself; it is a way to pay (like a gift card), not a promotion, so Oscar's
"Offers" page does not list it (its own page is linked from nowhere and shows
no products: its condition has no range). Swapped in by the add-on's class
loader (``oscar_loyalty.loading``); a store without the loader lists it among
its site offers.
"""

from __future__ import annotations

from oscar.apps.offer import views as oscar_views

from .redemption import DISCOUNT_BENEFIT_PATH


class OfferListView(oscar_views.OfferListView):
    def get_queryset(self):
        return super().get_queryset().exclude(benefit__proxy_class=DISCOUNT_BENEFIT_PATH)
