"""Staff pages for refer-a-friend: the referrals list and review queue, funnel and stats."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.referrals import rewards, stats
from oscar_loyalty.apps.referrals.models import Referral
from oscar_loyalty.exceptions import LoyaltyError

TEMPLATES = "oscar_loyalty/dashboard/referrals"


class ReferralListView(generic.ListView):
    """Every referral, newest first; ``?status=review`` is the review queue."""

    template_name = f"{TEMPLATES}/referral_list.html"
    context_object_name = "referrals"
    paginate_by = 50

    def get_queryset(self):
        referrals = Referral.objects.select_related("referrer__user", "referee", "first_order")
        self.status = self.request.GET.get("status", "")
        if self.status in dict(Referral.STATUS_CHOICES):
            referrals = referrals.filter(status=self.status)
        return referrals

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            status=self.status,
            statuses=Referral.STATUS_CHOICES,
            in_review=Referral.objects.filter(status=Referral.REVIEW).count(),
        )
        return ctx


class ReferralStatsView(generic.TemplateView):
    """The funnel (visits → sign-ups → first orders → rewards) and stats per referrer."""

    template_name = f"{TEMPLATES}/stats.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(funnel=stats.funnel(), referrers=stats.per_referrer())
        return ctx


class ReferralDecideView(generic.View):
    """POST ``decision=approve|reject`` for a referral in review."""

    def post(self, request, pk):
        referral = get_object_or_404(Referral, pk=pk)
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                rewards.approve_referral(referral, staff_user=request.user)
                messages.success(request, _("Referral approved."))
            elif decision == "reject":
                rewards.reject_referral(referral, staff_user=request.user)
                messages.success(request, _("Referral rejected."))
            else:
                messages.error(request, _("Choose approve or reject."))
        except LoyaltyError as error:
            messages.error(request, error.message)
        return redirect("loyalty_dashboard:loyalty-referrals-list")


def get_urls() -> list:
    return [
        path("referrals/", ReferralListView.as_view(), name="loyalty-referrals-list"),
        path("referrals/stats/", ReferralStatsView.as_view(), name="loyalty-referrals-stats"),
        path(
            "referrals/<int:pk>/decide/",
            ReferralDecideView.as_view(),
            name="loyalty-referrals-decide",
        ),
    ]
