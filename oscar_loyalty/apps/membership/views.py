from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.exceptions import LoyaltyError

from . import join_choices, services, tiers
from .forms import JoinForm, ProfileForm
from .models import Plan
from .numbers import card_qr_svg

# The <body> class of the pages whose card comes before the account links on a
# narrow screen (oscar_loyalty/css/club.css).
CARD_FIRST_CLASS = "loyalty-card-first"


class ClubLandingView(generic.FormView):
    """``/club/``: the member's home for a member, the "Join the club" page for everyone else.

    The join page shows what membership gives, the plans and the join form. A
    guest who presses Join is sent to log in or register; the choices they
    made travel in the session (``join_choices``) and the form shows them
    again on the way back.
    """

    template_name = "oscar_loyalty/membership/landing.html"
    form_class = JoinForm

    # ``/club/?plans=1``: the plans page for a member too (renewing, changing plan).
    PLANS_PARAMETER = "plans"
    member = None

    def get(self, request, *args, **kwargs):
        self.member = services.get_member(request.user)
        if self.member is not None:
            join_choices.forget(request)  # joined meanwhile (at registration, say)
            if self.PLANS_PARAMETER not in request.GET:
                return MemberHomeView.as_view(member=self.member)(request)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {**super().get_initial(), **join_choices.initial_for_form(self.kept_choices())}

    def get_form_kwargs(self):
        # A signed-in shopper without a first name is asked for it (the mails greet with it).
        return {**super().get_form_kwargs(), "user": self.request.user}

    def kept_choices(self) -> dict | None:
        if not self.request.user.is_authenticated:
            return None
        return join_choices.recall(self.request)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["member"] = self.member
        ctx["choices_kept"] = self.kept_choices() is not None
        ctx["paid_plans"] = Plan.objects.filter(is_active=True, price__gt=0).select_related(
            "product"
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            form = self.get_form()
            if form.is_valid():
                join_choices.remember(
                    request,
                    plan_id=form.cleaned_data["plan"].pk,
                    consent_channels=form.consent_channels(),
                )
                messages.info(
                    request,
                    _(
                        "Please log in or register first: your choices are kept, "
                        "and you join with one more click."
                    ),
                )
            else:
                messages.info(request, _("Please log in or register first, then join the club."))
            return redirect(f"{reverse('customer:login')}?next={reverse('loyalty:join')}")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        join_choices.forget(self.request)
        try:
            if "first_name" in form.fields:
                services.record_names(
                    self.request.user,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
            member = services.join_club(
                self.request.user,
                plan=form.cleaned_data["plan"],
                consent_channels=form.consent_channels(),
                source="join",
                request=self.request,
                language=getattr(self.request, "LANGUAGE_CODE", "") or "",
                phone=str(form.cleaned_data.get("phone") or ""),
            )
        except LoyaltyError as error:
            messages.error(self.request, error.message)
            return redirect("loyalty:join")
        messages.success(self.request, services.welcome_text(member, form.consent_channels()))
        return redirect("loyalty:join")


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


class MemberHomeView(generic.TemplateView):
    """The member's home at ``/club/`` (called by ``ClubLandingView`` with the member).

    The card, the membership and the tier progress are this app's; the
    installed apps add their sections through the ``member_home`` slot and
    the items of "Ways to earn" and "Waiting for you" through the
    ``ways_to_earn`` and ``gifts_waiting`` slots (``oscar_loyalty.fragments``),
    each from its own services: the figures are the ones its pages show.
    """

    template_name = "oscar_loyalty/membership/home.html"
    member = None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = self.member
        progress = tiers.tier_progress(member)
        ctx.update(
            page_title=_("Your club"),
            active_tab="loyalty-home",
            card_first_class=CARD_FIRST_CLASS,
            member=member,
            has_benefits=member.has_benefits(),
            progress=progress,
            next_perks=tiers.tier_perks(progress.next_tier) if progress.next_tier else [],
            qr_svg=card_qr_svg(member.number, scale=5),
        )
        return ctx


class CardView(MemberRequiredMixin, generic.TemplateView):
    """The member card: number and a QR code that holds only the number."""

    template_name = "oscar_loyalty/membership/card.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page_title=_("Member card"),
            active_tab="loyalty-card",
            card_first_class=CARD_FIRST_CLASS,
            qr_svg=card_qr_svg(self.member.number),
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
        from oscar_loyalty.apps.consent import services as consent

        data = dict(form.cleaned_data)
        interests = data.pop("interests")
        phone = data.pop("phone", None)
        for name in list(data):
            if name.startswith("consent_"):
                data.pop(name)
        try:
            before = self.member.phone_changed_at
            # A post without the field (an older page) leaves the number alone.
            if "phone" in form.fields and "phone" in form.data:
                self.member = services.change_phone(
                    self.member, phone=phone or "", request=self.request
                )
            if self.member.phone_changed_at != before and not form.number_consents():
                messages.info(
                    self.request,
                    _(
                        "Your mobile number was changed. Consent to SMS and WhatsApp given "
                        "for the old number does not apply to the new one: tick the boxes "
                        "below to receive them there."
                    ),
                )
            services.update_profile(self.member, interests=interests, **data)
            for channel in form.number_consents():
                # Bound to the number just saved; nothing when already granted for it.
                consent.grant_consent(
                    self.member.user, channel=channel, source="preferences", request=self.request
                )
        except LoyaltyError as error:
            messages.error(self.request, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Your club profile was saved."))
        return redirect("loyalty:profile")
