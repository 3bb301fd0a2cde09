"""What the club's own site offers share: proxies Oscar's dashboard can list, made on first use.

The points discount (``points.benefits``) and the basket rewards
(``rewards.offer``) are each one Oscar site offer whose condition and benefit
are proxy classes of Oscar's models. Both need the same three things, kept
here once:

* a ``name`` that is a plain ``str`` in the active language. Oscar's
  ``__str__`` returns ``name``, and its offer dashboard lists every custom
  condition and benefit by ``str()``, which refuses a lazy translation object
  (issue #18: the dashboard's offer pages answered 500);
* a condition that never consumes items, so other offers still apply to the
  lines;
* the offer row created on first use, never by a migration: a row made at
  ``migrate`` would take a primary key and a place in the lists of a store,
  or of Oscar's own tests, that expect only their own rows.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import post_init
from django.utils import translation
from oscar.core.loading import get_model

Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
ConditionalOffer = get_model("offer", "ConditionalOffer")


class LabelledConditionMixin:
    """For a condition proxy: named by its class's lazy ``label``, read in the active language.

    A plain mixin, not a model: a proxy here would be a model of whichever app
    this module's label fell to, and need a migration of its own.
    """

    label = None

    @property
    def name(self) -> str:
        return str(self.label)

    @property
    def description(self) -> str:
        return self.name

    def is_partially_satisfied(self, offer, basket):
        return False

    def consume_items(self, offer, basket, affected_lines):
        # Never mark lines as used here: other offers must still apply to them
        # (a benefit that must take units consumes exactly those itself).
        pass


class LabelledBenefitMixin:
    """For a benefit proxy: ``name`` and ``description`` from lazy class attributes, as ``str``."""

    title = None  # lazy text: the offer dashboard's and the basket's name
    summary = None  # lazy text: the description

    @property
    def name(self) -> str:
        return str(self.title)

    @property
    def description(self) -> str:
        return str(self.summary)

    def __str__(self):
        return self.name


def keep_no_usage_counters(offer) -> None:
    """Oscar records this offer's use on the order without saving the offer row.

    At placement Oscar's ``record_usage`` adds to the offer's counters and saves
    the whole row inside the order's transaction, so the row stays locked until
    the order commits. A store has one points offer and one rewards offer: every
    checkout that spends points (or redeems a reward) would write that same row
    and wait for the others' commits, and each write costs a query. The order
    still gets its ``OrderDiscount`` row (Oscar's offer report sums those); the
    club's ledger and reports count the points and rewards. Oscar's counters on
    these two offers stay at zero (docs/points.md).

    Called from the benefits' ``apply_deferred``, which Oscar calls just before
    ``record_usage`` for the same offer instance.
    """
    offer.record_usage = _usage_not_saved


def _usage_not_saved(discount) -> None:
    return None


# The offer whose ``OrderDiscount`` Oscar creates next in this context, and its name.
_next_discount: ContextVar[tuple[int, str] | None] = ContextVar(
    "loyalty_next_order_discount", default=None
)


def name_its_order_discount(offer) -> None:
    """Give the ``OrderDiscount`` Oscar creates next for ``offer`` its name, from memory.

    Oscar builds the discount row with the offer's id only, and its ``save``
    reads the offer again for ``offer_name``: one query per placement, inside the
    order's transaction, for a row the request holds already. Called from the
    benefits' ``apply_deferred``, which Oscar calls just before it creates that
    row for the same offer; ``name_order_discount`` (``post_init``) hands the name
    over once (a placement that failed between the two leaves it for the next
    discount of that offer in this context: the same name, read a little earlier).
    The name is the stored one (``points.benefits.show_name_translated``
    may have put the shopper's language on the instance), as Oscar's re-read gives.
    """
    _next_discount.set((offer.pk, getattr(offer, "loyalty_stored_name", offer.name)))


def name_order_discount(sender, instance, **kwargs) -> None:
    """``post_init`` of Oscar's ``OrderDiscount``: the name ``name_its_order_discount`` kept.

    Only for a row without a name, of that offer, once: any other ``OrderDiscount``
    (another offer's, or one read from the database) is left as Oscar makes it.
    """
    pending = _next_discount.get()
    if pending is None or instance.offer_id != pending[0] or instance.offer_name:
        return
    _next_discount.set(None)
    instance.offer_name = pending[1]


def connect_order_discount_name() -> None:
    """Connect ``name_order_discount``: the points and rewards apps both call it (one uid)."""
    post_init.connect(
        name_order_discount,
        sender=get_model("order", "OrderDiscount"),
        dispatch_uid="loyalty.order_discount_name",
    )


def offers_with_benefit(benefit_path: str):
    """Every offer whose benefit is ``benefit_path``: found by class, whatever staff renamed."""
    return ConditionalOffer.objects.filter(benefit__proxy_class=benefit_path)


def ensure_site_offer(
    *,
    benefit_path: str,
    condition_path: str,
    slug: str,
    name,
    description,
    priority: int,
):
    """The club's site offer for ``benefit_path``, created on first use.

    Staff may rename it, change its priority or suspend it in Oscar's offers
    dashboard: an existing offer is used as it is; one is created only when
    none exists (also after staff deleted it). Two first uses at once: the
    offer's unique slug lets one insert win, the other reads the winner's row.
    ``name`` and ``description`` are lazy texts, stored in the store's
    language whoever happens to be first.
    """
    offer = offers_with_benefit(benefit_path).order_by("pk").first()
    if offer is not None:
        return offer
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            return ConditionalOffer.objects.create(
                name=str(name),
                slug=slug,
                description=str(description),
                offer_type=ConditionalOffer.SITE,
                exclusive=False,
                status=ConditionalOffer.OPEN,
                priority=priority,
                max_basket_applications=1,
                condition=Condition.objects.create(proxy_class=condition_path),
                benefit=Benefit.objects.create(proxy_class=benefit_path, type=""),
            )
    except IntegrityError:
        # Another request created it (same slug) between our read and insert.
        # Never a second offer under another slug: two such offers would each
        # apply to the basket.
        offer = offers_with_benefit(benefit_path).order_by("pk").first()
        if offer is None:
            # The slug is taken by an offer staff gave another incentive.
            raise
        return offer
