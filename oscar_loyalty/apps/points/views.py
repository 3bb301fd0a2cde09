from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import generic
from oscar.templatetags.currency_filters import currency

from oscar_loyalty import app_settings, ratelimit
from oscar_loyalty.apps.membership.views import MemberRequiredMixin
from oscar_loyalty.exceptions import LoyaltyError, RateLimited
from oscar_loyalty.money import points_to_money

from . import redemption, services
from .forms import ApplyPointsForm
from .models import PointsEarning


class ApplyPointsView(LoginRequiredMixin, generic.View):
    """POST from the basket page: reserve points for this basket (like VoucherAddView)."""

    def post(self, request):
        # Every request counts, per user: each one locks the points account.
        try:
            ratelimit.hit(
                "points_apply", f"user:{request.user.pk}", limit=app_settings.POINTS_RATE_LIMIT
            )
        except RateLimited as error:
            messages.error(request, error.message)
            return redirect("basket:summary")
        form = ApplyPointsForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("basket:summary")
        try:
            reserved = redemption.reserve_points(
                request.basket, request.user, form.requested_points()
            )
        except LoyaltyError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(points)s points (%(value)s) applied to your basket.")
                % {
                    "points": reserved.points,
                    "value": currency(points_to_money(reserved.points), request.basket.currency),
                },
            )
        return redirect("basket:summary")


class RemovePointsView(LoginRequiredMixin, generic.View):
    def post(self, request):
        try:
            if redemption.release_points(request.basket, request.user):
                messages.success(request, _("Your points were removed from the basket."))
        except LoyaltyError as error:
            messages.error(request, error.message)
        return redirect("basket:summary")


class PointsAccountView(MemberRequiredMixin, generic.TemplateView):
    """Account area: balance, pending, next expiry and the full history."""

    template_name = "oscar_loyalty/points/account.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = self.member
        account = services.get_account(member)
        page = Paginator(services.entries_for(member), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        ctx.update(
            page_title=_("Club points"),
            active_tab="loyalty-points",
            member=member,
            summary=services.get_summary(self.request.user),
            next_expiry=services.next_expiry(account),
            pending_earnings=PointsEarning.objects.filter(
                account=account, status=PointsEarning.PENDING
            ).select_related("order"),
            page_obj=page,
            entries=page.object_list,
        )
        return ctx
