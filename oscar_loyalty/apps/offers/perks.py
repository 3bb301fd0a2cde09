"""Tier perks as Oscar offers: a condition that admits a tier's members (and, later, everyone).

``TierCondition`` is an Oscar condition proxy, like the members-only one
(``conditions.MemberOnlyCondition``): the row keeps Oscar's ``type``,
``range`` and ``value``, and a ``TierPerkRule`` names the tiers it admits.

* **Shipping for a tier:** a site offer with this condition and one of
  Oscar's shipping benefits (free or fixed-price shipping, an amount or a
  percentage off). Oscar's shipping repository applies it to the methods;
  other shoppers' shipping is untouched.
* **Early access to a sale:** the rule's ``everyone_from``. The offer starts
  (Oscar's ``start_datetime``) when the tiers may use it; from
  ``everyone_from`` on, every shopper may, guests included.

Oscar asks the condition on every request that prices a basket, so the rules
are kept by the process with the perks' ranges (``perk_snapshot``): under the
price book's version token that a signed-in shopper's club context already
read (saving a rule bumps it, so every process reloads on its next member
request); a guest's request checks the token once a minute. A page costs no
query of its own once the process has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.club import context_for_basket
from oscar_loyalty.lines import priced_lines

from .conditions import MemberOnlyCondition

Condition = get_model("offer", "Condition")

TIER_CONDITION_PATH = "oscar_loyalty.apps.offers.perks.TierCondition"
# Oscar's shipping benefits, by their ``type``: the ones a shipping perk may use.
SHIPPING_BENEFIT_TYPES = ("Shipping absolute", "Shipping fixed price", "Shipping percentage")


class TierPerkRule(models.Model):
    """Which tiers a tier-perk condition admits, and from when it admits everyone."""

    condition = models.OneToOneField(
        "offer.Condition", on_delete=models.CASCADE, related_name="loyalty_tier_rule"
    )
    tiers = models.ManyToManyField(
        "loyalty_membership.Tier", related_name="+", verbose_name=_("tiers")
    )
    everyone_from = models.DateTimeField(
        _("open to every shopper from"),
        null=True,
        blank=True,
        help_text=_("Early access: before this, only the tiers. Empty: only the tiers, always."),
    )

    class Meta:
        app_label = "loyalty_offers"
        verbose_name = _("tier perk rule")

    def __str__(self) -> str:
        return f"Tier perk rule for condition {self.condition_id}"


@dataclass(frozen=True)
class Rule:
    tier_ids: frozenset[int]
    everyone_from: datetime | None

    def admits(self, member: Member | None, *, now: datetime) -> bool:
        if self.everyone_from is not None and now >= self.everyone_from:
            return True
        return member is not None and member.tier_id in self.tier_ids and member.has_benefits(now)


NO_RULE = Rule(frozenset(), None)


def forget_rules() -> None:
    """Drop this process's copy (a rule was saved; other processes follow the token)."""
    from .perk_snapshot import forget

    forget()


def load_rules() -> dict[int, Rule]:
    tiers: dict[int, set[int]] = {}
    starts: dict[int, datetime | None] = {}
    rows = TierPerkRule.objects.values_list("condition_id", "everyone_from", "tiers__id")
    for condition_id, everyone_from, tier_id in rows:
        starts[condition_id] = everyone_from
        ids = tiers.setdefault(condition_id, set())
        if tier_id is not None:
            ids.add(tier_id)
    return {pk: Rule(frozenset(tiers[pk]), starts[pk]) for pk in starts}


def rules(token: str | None = None) -> dict[int, Rule]:
    """Every tier-perk rule, from the process's perk snapshot (``perk_snapshot``)."""
    from .perk_snapshot import snapshot

    return snapshot(token).rules


def rule_for(condition, basket=None) -> Rule:
    context = context_for_basket(basket) if basket is not None else None
    token = getattr(context, "price_version", None) if context is not None else None
    if token is None and basket is not None:
        # A guest's basket: the token Oscar's site-offer query carried (``applicator``).
        token = getattr(basket, "_loyalty_perk_token", None)
    return rules(token).get(condition.pk, NO_RULE)


class TierCondition(MemberOnlyCondition):
    """Oscar's count/value/coverage condition, for the rule's tiers (and everyone, once open)."""

    class Meta:
        proxy = True
        app_label = "loyalty_offers"
        verbose_name = _("Tier perk condition")
        verbose_name_plural = _("Tier perk conditions")

    def _tier_names(self) -> str:
        from oscar_loyalty.apps.membership.models import Tier

        ids = rules().get(self.pk, NO_RULE).tier_ids
        names = [tier.display_name for tier in Tier.objects.filter(pk__in=ids)]
        return ", ".join(names) or "—"

    @property
    def name(self):
        return gettext("%(tiers)s members: %(condition)s") % {
            "tiers": self._tier_names(),
            "condition": self.wrapped().name,
        }

    @property
    def description(self):
        return gettext("%(tiers)s members: %(condition)s") % {
            "tiers": self._tier_names(),
            "condition": self.wrapped().description,
        }

    def is_satisfied(self, offer, basket):
        satisfied = super().is_satisfied(offer, basket)
        if satisfied:
            # Oscar prices every line next: their stock records and classes in one query.
            priced_lines(basket)
        return satisfied

    def _admits(self, offer, basket) -> bool:
        now = timezone.now()
        if offer.is_suspended or not (
            (offer.start_datetime is None or offer.start_datetime <= now)
            and (offer.end_datetime is None or now <= offer.end_datetime)
        ):
            return False
        return rule_for(self, basket).admits(basket_member(basket), now=now)


@dataclass(frozen=True)
class ShippingPerk:
    """One line for the shipping step: "Free shipping for Gold"."""

    text: str
    yours: bool  # the shopper's tier has it (Oscar's method list shows the discount)


def _shipping_text(benefit_type: str, value) -> str:
    from oscar.templatetags.currency_filters import currency

    if benefit_type == "Shipping fixed price" and not value:
        return gettext("Free shipping")
    if benefit_type == "Shipping fixed price":
        return gettext("Shipping for %(amount)s") % {"amount": currency(value)}
    if benefit_type == "Shipping percentage":
        return gettext("%(percent)s%% off shipping") % {"percent": format(value.normalize(), "f")}
    return gettext("%(amount)s off shipping") % {"amount": currency(value)}


def _running_shipping_perks(basket) -> list[tuple[int, str, object]]:
    """``(condition id, benefit type, value)`` of the running shipping perks, first first.

    The offers Oscar's applicator loaded for this request's basket when it has
    (``applicator.PerkRangesMixin``), else one query.
    """
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    loaded = getattr(basket, "_loyalty_offers", None)
    if loaded is None:
        return list(
            ConditionalOffer.active.all()
            .filter(
                offer_type=ConditionalOffer.SITE,
                condition__proxy_class=TIER_CONDITION_PATH,
                benefit__type__in=SHIPPING_BENEFIT_TYPES,
            )
            .values_list("condition_id", "benefit__type", "benefit__value")
            .order_by("-priority", "pk")
        )
    running = [
        offer
        for offer in loaded
        if offer.offer_type == ConditionalOffer.SITE
        and offer.condition.proxy_class == TIER_CONDITION_PATH
        and offer.benefit.type in SHIPPING_BENEFIT_TYPES
    ]
    running.sort(key=lambda offer: (-offer.priority, offer.pk))
    return [(offer.condition_id, offer.benefit.type, offer.benefit.value) for offer in running]


def shipping_perks(basket) -> list[ShippingPerk]:
    """The running shipping perks, for the shipping step: no query of its own.

    Early-access rules open to everyone are left out: they are no longer a perk.
    """
    from oscar_loyalty.apps.membership.models import Tier

    now = timezone.now()
    offers = _running_shipping_perks(basket)
    member = basket_member(basket)
    found, tier_ids = [], set()
    for condition_id, benefit_type, value in offers:
        rule = rule_for(Condition(pk=condition_id), basket)
        if not rule.tier_ids or (rule.everyone_from and now >= rule.everyone_from):
            continue
        found.append((rule, benefit_type, value))
        tier_ids |= rule.tier_ids
    if not found:
        return []
    own = member.tier if member is not None and member.tier_id in tier_ids else None
    tiers = {own.pk: own} if own is not None and tier_ids == {own.pk} else None
    if tiers is None:  # names of other tiers: the second query, only when shown
        tiers = {tier.pk: tier for tier in Tier.objects.filter(pk__in=tier_ids)}
    perks = []
    for rule, benefit_type, value in found:
        names = ", ".join(tiers[pk].display_name for pk in sorted(rule.tier_ids) if pk in tiers)
        perks.append(
            ShippingPerk(
                gettext("%(perk)s for %(tiers)s members")
                % {"perk": _shipping_text(benefit_type, value), "tiers": names},
                yours=rule.admits(member, now=now),
            )
        )
    return perks
