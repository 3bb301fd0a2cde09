"""The members-only offer condition: Oscar's count, value or coverage condition, for members.

A ``Condition`` row with ``proxy_class`` pointing here keeps Oscar's own
``type``, ``range`` and ``value``; this proxy first checks who owns the basket
(a member with benefits, in the rule's segment if it names one, and the
owner of a personal gift voucher), then hands over to Oscar's condition for
that ``type``. It works the same for site offers and voucher offers, and
needs no fork of Oscar's offer app.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.membership.models import Member

Condition = get_model("offer", "Condition")

MEMBERS_ONLY = _("This offer is for club members only.")
NOT_YOURS = _("This voucher was given to another member.")
NOT_IN_SEGMENT = _("This offer is for another group of club members.")


def refusal_reason(condition, member: Member | None, voucher=None) -> str | None:
    """Why ``member`` may not use an offer with this condition, or ``None`` if they may.

    Shared by the condition itself and by the voucher receiver, which shows the
    reason to a shopper whose voucher Oscar has just refused.
    """
    from .models import MemberGift, MemberOfferRule

    if member is None or not member.has_benefits():
        return str(MEMBERS_ONLY)
    segment_id = (
        MemberOfferRule.objects.filter(condition_id=condition.pk)
        .values_list("segment_id", flat=True)
        .first()
    )
    if segment_id is not None:
        from oscar_loyalty.apps.segments.services import memberships

        if segment_id not in memberships(member, [segment_id]):
            return str(NOT_IN_SEGMENT)
    if voucher is not None:
        owner_id = (
            MemberGift.objects.filter(voucher_id=voucher.pk)
            .values_list("member_id", flat=True)
            .first()
        )
        if owner_id is not None and owner_id != member.pk:
            return str(NOT_YOURS)
    return None


class MemberOnlyCondition(Condition):
    """Oscar's count/value/coverage condition, satisfied only for eligible club members."""

    class Meta:
        proxy = True
        app_label = "loyalty_offers"
        verbose_name = _("Members-only condition")
        verbose_name_plural = _("Members-only conditions")

    def wrapped(self):
        """Oscar's own condition for this row's ``type``, with the same fields."""
        if "_wrapped" not in self.__dict__:
            fields = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
            self._wrapped = self.proxy_map[self.type](**fields)
            # The range this row already holds (the tier perks' from memory, see
            # ``perk_snapshot``) goes along; Oscar's condition would load it again.
            range_field = self._meta.get_field("range")
            if range_field.is_cached(self):
                range_field.set_cached_value(self._wrapped, range_field.get_cached_value(self))
        return self._wrapped

    @property
    def name(self):
        return gettext("Club members only: %(condition)s") % {"condition": self.wrapped().name}

    @property
    def description(self):
        return gettext("Club members only: %(condition)s") % {
            "condition": self.wrapped().description
        }

    def _admits(self, offer, basket) -> bool:
        # Oscar skips status and dates for voucher offers; switching one off or
        # scheduling it in the club's dashboard must still take effect.
        now = timezone.now()
        if offer.is_suspended or not (
            (offer.start_datetime is None or offer.start_datetime <= now)
            and (offer.end_datetime is None or now <= offer.end_datetime)
        ):
            return False
        voucher = getattr(offer, "_voucher", None)
        return refusal_reason(self, basket_member(basket), voucher) is None

    def is_satisfied(self, offer, basket):
        return self._admits(offer, basket) and self.wrapped().is_satisfied(offer, basket)

    def is_partially_satisfied(self, offer, basket):
        return self._admits(offer, basket) and self.wrapped().is_partially_satisfied(offer, basket)

    def get_upsell_message(self, offer, basket):
        if not self._admits(offer, basket):
            return None
        return self.wrapped().get_upsell_message(offer, basket)

    def consume_items(self, offer, basket, affected_lines):
        return self.wrapped().consume_items(offer, basket, affected_lines)

    def can_apply_condition(self, line):
        return self.wrapped().can_apply_condition(line)

    def get_applicable_lines(self, offer, basket, most_expensive_first=True):
        return self.wrapped().get_applicable_lines(offer, basket, most_expensive_first)
