"""Oscar's offer applicator, with the tier perks' ranges answered from memory.

Enabled by ``oscar_loyalty.loading.class_loader`` (``offer.applicator.Applicator``);
a store with its own applicator mixes in ``PerkRangesMixin``. The offers are
still Oscar's own query, made once per request as in a stock store; only the
tier perks among them get conditions and benefits whose ranges answer from
the process's snapshot (``perk_snapshot``). Every other offer is untouched.
"""

from __future__ import annotations

from oscar.core.loading import default_class_loader

from .perk_snapshot import price_version_subquery, with_perk_ranges

(OscarApplicator,) = default_class_loader("offer.applicator", ["Applicator"], "oscar.apps")


class PerkRangesMixin:
    def get_site_offers(self):
        offers = super().get_site_offers()
        if not hasattr(offers, "annotate"):
            return offers
        # The price book's token rides on Oscar's own query (a column, no query of its
        # own): a guest's request then knows whether the perks' snapshot is current.
        return offers.annotate(loyalty_price_version=price_version_subquery())

    def get_offers(self, basket, user=None, request=None):
        offers = super().get_offers(basket, user, request)
        with_perk_ranges(offers, basket)
        # The shipping step lists the running shipping perks (``perks.shipping_perks``):
        # these rows are this request's, so it needs no query of its own.
        basket._loyalty_offers = offers
        return offers


class Applicator(PerkRangesMixin, OscarApplicator):
    pass
