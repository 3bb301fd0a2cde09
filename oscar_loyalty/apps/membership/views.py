from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.exceptions import LoyaltyError

from . import services
from .forms import JoinForm, ProfileForm
from .models import Plan


class ClubLandingView(generic.FormView):
    """The "Join the club" page: what membership gives, the plans, and the join form."""

    template_name = "oscar_loyalty/membership/landing.html"
    form_class = JoinForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["member"] = services.get_member(self.request.user)
        ctx["paid_plans"] = Plan.objects.filter(is_active=True, price__gt=0).select_related(
            "product"
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            messages.info(request, _("Please log in or register first, then join the club."))
            return redirect(f"{reverse('customer:login')}?next={reverse('loyalty:join')}")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.join_club(
                self.request.user,
                plan=form.cleaned_data["plan"],
                consent_channels=form.consent_channels(),
                source="join",
                request=self.request,
                language=getattr(self.request, "LANGUAGE_CODE", "") or "",
            )
        except LoyaltyError as error:
            messages.error(self.request, error.message)
            return redirect("loyalty:membership")
        messages.success(self.request, _("Welcome to the club!"))
        return redirect("loyalty:membership")


class MemberRequiredMixin(LoginRequiredMixin):
    """Account pages for members; a non-member is sent to the join page with a message."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.member = services.get_member(request.user)
        if self.member is None:
            messages.info(request, _("You are not a member of the club yet."))
            return redirect("loyalty:join")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["member"] = self.member
        return ctx


class MembershipView(MemberRequiredMixin, generic.TemplateView):
    template_name = "oscar_loyalty/membership/membership.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page_title=_("Club membership"),
            active_tab="loyalty-membership",
            terms=self.member.terms.select_related("plan", "order"),
            tier_changes=self.member.tier_changes.select_related("from_tier", "to_tier")[:10],
            has_benefits=self.member.has_benefits(),
        )
        return ctx


class CardView(MemberRequiredMixin, generic.TemplateView):
    """The member card: number and a QR code that holds only the number."""

    template_name = "oscar_loyalty/membership/card.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qr = segno.make(self.member.number, error="m")
        ctx.update(
            page_title=_("Member card"),
            active_tab="loyalty-card",
            qr_svg=qr.svg_inline(scale=6, dark="#000", light="#fff", border=2),
            has_benefits=self.member.has_benefits(),
        )
        return ctx


class ProfileView(MemberRequiredMixin, generic.UpdateView):
    template_name = "oscar_loyalty/membership/profile.html"
    form_class = ProfileForm

    def get_object(self, queryset=None):
        return self.member

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(page_title=_("Club profile"), active_tab="loyalty-profile")
        return ctx

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        interests = data.pop("interests")
        try:
            services.update_profile(self.member, interests=interests, **data)
        except LoyaltyError as error:
            messages.error(self.request, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Your club profile was saved."))
        return redirect("loyalty:profile")
