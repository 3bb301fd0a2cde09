"""Shopper pages: the share link, typing a friend's code, and the account tab."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import generic

from oscar_loyalty.apps.membership.views import MemberRequiredMixin
from oscar_loyalty.exceptions import ReferralError, SelfReferral, TooManyAttempts

from . import services
from .forms import ReferralCodeForm


class ShareLinkView(generic.View):
    """``/club/r/<code>/``: remember the code, count the visit, go to registration."""

    def get(self, request, code):
        try:
            services.check_rate_limit(request)
            found = services.find_code(code)
            user = request.user
            if user.is_authenticated and services.self_referral_reason(found, user):
                raise SelfReferral()
        except ReferralError as error:
            services.count_failed_attempt(request)
            messages.error(request, error.message)
            return redirect("/")
        services.record_visit(found, request=request)
        if request.user.is_authenticated:
            target = reverse("basket:summary")
            # Signed in and new to the store: linked now, so the gift is in the
            # basket before the first order (not linked with it, gift-less).
            if not services.has_previous_orders(request.user):
                response = redirect(target)
                try:
                    referral = services.link_referee(request.user, code, source="link")
                except ReferralError:
                    # Already referred, say: the link changes nothing.
                    return response
                _gift_message(request, referral)
                return response
        else:
            target = reverse("customer:register")
            messages.info(
                request, _("A friend invited you: create an account to get your first-order gift.")
            )
        response = redirect(target)
        services.remember_code(request, response, found)
        return response


class EnterCodeView(generic.View):
    """POST a friend's code from the basket or checkout (``partials/code_form.html``)."""

    def post(self, request):
        target = request.POST.get("next") or reverse("basket:summary")
        # A path on this site only: redirect() reads a bare word ("0", "basket")
        # as a view name to reverse, which raised NoReverseMatch (an HTTP 500).
        if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, {request.get_host()}
        ):
            target = reverse("basket:summary")
        form = ReferralCodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter your friend's referral code."))
            return redirect(target)
        try:
            services.check_rate_limit(request)
            if not request.user.is_authenticated:
                found = services.find_code(form.cleaned_data["code"])
                response = redirect(target)
                services.remember_code(request, response, found)
                messages.success(
                    request, _("Code saved: sign in or register to get your friend's gift.")
                )
                return response
            referral = services.link_referee(
                request.user, form.cleaned_data["code"], source="checkout"
            )
        except TooManyAttempts as error:
            messages.error(request, error.message)
            return redirect(target)
        except ReferralError as error:
            services.count_failed_attempt(request)
            messages.error(request, error.message)
            return redirect(target)
        _gift_message(request, referral)
        return redirect(target)


def _gift_message(request, referral) -> None:
    """Put the friend's voucher in the request's basket and say so."""
    voucher = referral.friend_voucher
    basket = getattr(request, "basket", None)
    if voucher is not None and services.put_gift_in_basket(request.user, voucher, basket=basket):
        messages.success(
            request,
            _("Your friend's gift (voucher %(code)s) is in your basket.") % {"code": voucher.code},
        )
    else:
        messages.success(request, _("Your friend's code is saved for your first order."))


class ReferralsAccountView(MemberRequiredMixin, generic.TemplateView):
    """The member's code, share buttons and the friends they referred."""

    template_name = "oscar_loyalty/referrals/account.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        code = services.get_code(self.member)
        link = self.request.build_absolute_uri(
            reverse("loyalty:referral-link", kwargs={"code": code.code})
        )
        ctx.update(
            page_title=_("Invite friends"),
            active_tab="loyalty-referrals",
            code=code,
            share_link=link,
            share_text=_("Join me at %(shop)s and get a gift on your first order: %(link)s")
            % {"shop": settings.OSCAR_SHOP_NAME, "link": link},
            referrals=services.referrals_made(self.member)[:100],
            own_referral=services.referral_of(self.request.user),
        )
        return ctx
