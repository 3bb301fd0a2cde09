from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.membership.services import get_member

from . import gifts
from .models import MemberGift


class MyGiftsView(LoginRequiredMixin, generic.TemplateView):
    """The member's gifts and vouchers in the account area (shown with or without consent)."""

    template_name = "oscar_loyalty/offers/my_gifts.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and get_member(request.user) is None:
            return redirect("loyalty:join")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = get_member(self.request.user)
        today = timezone.localdate()
        member_gifts = list(gifts.gifts_for(member))
        ctx.update(
            page_title=_("Club gifts"),
            member=member,
            gifts=member_gifts,
            active_tab="loyalty-offers",
            birthday_today=any(
                g.kind == MemberGift.BIRTHDAY and g.occasion == today for g in member_gifts
            ),
            now=timezone.now(),
        )
        return ctx
