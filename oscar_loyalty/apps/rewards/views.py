"""The member's rewards catalogue page and the redeem button (thin: ``services`` decides)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty import app_settings, ratelimit
from oscar_loyalty.apps.membership.views import MemberRequiredMixin
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.exceptions import LoyaltyError, RateLimited

from . import services
from .models import Reward


def catalogue_context(request, member) -> dict:
    """What the catalogue page and the member home's section show."""
    summary = points_services.summary_for_request(request)
    return {
        "reward_items": services.catalogue_for(member, available_points=summary.available),
        "reward_points_available": summary.available,
        # One key per page view: a form posted twice (a double click, a
        # replayed request) redeems once.
        "reward_request_key": uuid.uuid4().hex,
    }


class CatalogueView(MemberRequiredMixin, generic.TemplateView):
    template_name = "oscar_loyalty/rewards/catalogue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            reward_catalogue=catalogue_context(self.request, self.member),
            page_title=_("Rewards"),
            active_tab="loyalty-rewards",
            redemptions=services.redemptions_for(self.member)[:20],
        )
        return ctx


class RedeemView(MemberRequiredMixin, generic.View):
    def post(self, request, pk):
        reward = get_object_or_404(Reward, pk=pk)
        back = request.POST.get("next") or "loyalty:rewards"
        if back not in ("loyalty:rewards", "loyalty:join"):
            back = "loyalty:rewards"
        try:
            # Each request locks the points account: limited per user.
            ratelimit.hit(
                "rewards_redeem", f"user:{request.user.pk}", limit=app_settings.POINTS_RATE_LIMIT
            )
            redemption = services.redeem(
                self.member,
                reward,
                request_key=request.POST.get("request_key", ""),
                basket=request.basket if reward.in_basket else None,
            )
        except (LoyaltyError, RateLimited) as error:
            messages.error(request, error.message)
            return redirect(back)
        if redemption.voucher_id:
            messages.success(
                request,
                _("Redeemed: %(reward)s. Your voucher code is %(code)s.")
                % {"reward": reward.display_name, "code": redemption.voucher.code},
            )
            return redirect(back)
        messages.success(
            request,
            _("Redeemed: %(reward)s. It is in your basket.") % {"reward": reward.display_name},
        )
        return redirect("basket:summary")
