"""Oscar's offer applicator, with the tier perks' ranges answered from memory.

On the pages where Oscar prices every line (its checkout and the basket page) it
also reads the lines' stock records and product classes for the whole basket
first (``oscar_loyalty.lines``): one query instead of two per line.

Enabled by ``oscar_loyalty.loading.class_loader`` (``offer.applicator.Applicator``);
a store with its own applicator mixes in ``PerkRangesMixin``. The offers are
still Oscar's own query, made once per request as in a stock store; only the
tier perks among them get conditions and benefits whose ranges answer from
the process's snapshot (``perk_snapshot``). Every other offer is untouched.
"""

from __future__ import annotations

from oscar.core.loading import default_class_loader

from oscar_loyalty.club import context_for_basket
from oscar_loyalty.lines import priced_lines, request_prices_every_line

from .perk_snapshot import price_version_column, with_perk_ranges

(OscarApplicator,) = default_class_loader("offer.applicator", ["Applicator"], "oscar.apps")


class PerkRangesMixin:
    # Whether this request's club context already read the price book's token.
    _token_read = False

    def get_site_offers(self):
        offers = super().get_site_offers()
        if self._token_read or not hasattr(offers, "annotate"):
            return offers
        # A guest's request: the price book's token rides on Oscar's own query (a
        # column, no query of its own), so it knows whether the perks' snapshot is current.
        return offers.annotate(loyalty_price_version=price_version_column())

    def get_offers(self, basket, user=None, request=None):
        context = context_for_basket(basket)
        self._token_read = getattr(context, "price_version", None) is not None
        offers = super().get_offers(basket, user, request)
        if request is not None and request_prices_every_line(request):
            # Oscar's view will price every line, a stock record and a product class
            # per line: read them for the whole basket first, before any offer does.
            priced_lines(basket)
        with_perk_ranges(offers, basket)
        # The shipping step lists the running shipping perks (``perks.shipping_perks``):
        # these rows are this request's, so it needs no query of its own.
        basket._loyalty_offers = offers
        return offers


class Applicator(PerkRangesMixin, OscarApplicator):
    pass
