"""Preference centre, double opt-in confirmation and unsubscribe pages.

Unsubscribe rules (RFC 8058 and mail scanners): a GET never changes anything;
the one-click POST needs no login, cookie or CSRF token, answers 200 without
redirecting, and is idempotent. A tampered or foreign token gets a 400 page
and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oscar_loyalty import app_settings, ratelimit
from oscar_loyalty.exceptions import RateLimited

from . import optin, services
from .forms import PreferencesForm
from .models import ConsentRecord, ConsentState
from .tokens import InvalidToken, read_unsubscribe_token

INVALID_LINK = "oscar_loyalty/consent/invalid_link.html"
RATE_LIMITED = "oscar_loyalty/consent/rate_limited.html"


class PreferencesView(LoginRequiredMixin, generic.FormView):
    """The account tab where a member grants or withdraws each purpose and channel."""

    template_name = "oscar_loyalty/consent/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["states"] = services.consent_states(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(page_title=_("Email and message preferences"), active_tab="loyalty-preferences")
        return ctx

    def form_valid(self, form):
        user = self.request.user
        pending = False
        for purpose, channel, wanted in form.changes():
            if wanted:
                services.record_consent(
                    user,
                    purpose=purpose,
                    channel=channel,
                    action=ConsentRecord.GRANT,
                    source=ConsentRecord.SOURCE_PREFERENCES,
                    request=self.request,
                )
                pending = pending or services.needs_double_opt_in(purpose, channel)
            else:
                services.withdraw_consent(
                    user,
                    purpose=purpose,
                    channel=channel,
                    source=ConsentRecord.SOURCE_PREFERENCES,
                    request=self.request,
                )
        if pending and services.consent_states(user).get(("marketing", "email")) == (
            ConsentState.PENDING
        ):
            messages.info(
                self.request, _("We sent you an email: follow its link to confirm your choice.")
            )
        messages.success(self.request, _("Your preferences were saved."))
        return redirect(reverse("loyalty:preferences"))


def _invalid(request):
    return render(request, INVALID_LINK, status=400)


def _over_limit(request, scope: str, key: str, limit: tuple[int, int]):
    """Count this request; a 429 response (nothing changed) once ``key`` is over ``limit``."""
    try:
        ratelimit.hit(scope, key, limit=limit)
    except RateLimited as error:
        response = render(request, RATE_LIMITED, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    return None


def _link_limit(request):
    """Every request to a login-free link page counts, per IP address."""
    return _over_limit(
        request,
        "consent_link",
        ratelimit.client_key(request),
        app_settings.CONSENT_LINKS_RATE_LIMIT,
    )


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm_view(request, token: str):
    """Double opt-in: GET shows a button (scanners follow links), POST confirms.

    The page after the POST says what really happened (``optin.ConfirmOutcome``):
    confirmed now, confirmed before, withdrawn since, or sent to an address
    the account no longer has; only the first changes anything.
    """
    if limited := _link_limit(request):
        return limited
    if request.method == "GET":
        try:
            services.read_confirm_token(token)
        except InvalidToken:
            return _invalid(request)
        return render(request, "oscar_loyalty/consent/confirm.html", {"done": False})
    try:
        outcome = optin.confirm_consent(token, request=request)
    except InvalidToken:
        return _invalid(request)
    return render(
        request,
        "oscar_loyalty/consent/confirm.html",
        {"done": True, "outcome": str(outcome)},
    )


def _unsubscribe_target(token: str):
    data = read_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=data.user_id).first()
    if user is None:
        raise InvalidToken("no such user")
    return data, user


def _withdraw(request, data, user, *, source: str) -> None:
    services.withdraw_consent(
        user,
        purpose=data.purpose,
        channel=data.channel,
        source=source,
        request=request,
        evidence={"message": data.message},
    )


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token: str):
    """The footer link: GET asks for confirmation and changes nothing; POST withdraws.

    CSRF-exempt on purpose: the signed token is the authority, and the page must
    work in mail-client browsers that keep no cookies.
    """
    if limited := _link_limit(request):
        return limited
    try:
        data, user = _unsubscribe_target(token)
    except InvalidToken:
        return _invalid(request)
    if request.method == "POST":
        _withdraw(request, data, user, source=ConsentRecord.SOURCE_UNSUBSCRIBE_PAGE)
        return render(request, "oscar_loyalty/consent/unsubscribed.html")
    return render(
        request,
        "oscar_loyalty/consent/unsubscribe.html",
        {"action": reverse("loyalty:unsubscribe", args=[token])},
    )


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def one_click_unsubscribe_view(request, token: str):
    """RFC 8058 ``List-Unsubscribe-Post`` target: 200, no redirect, idempotent.

    Mailbox providers send these POSTs from a few shared addresses, so the
    per-address limit is high (``ONE_CLICK_RATE_LIMIT``, a flood guard) and
    each link has its own small one (``ONE_CLICK_PER_LINK_RATE_LIMIT``).
    """
    if request.method == "POST":
        limited = _over_limit(
            request,
            "one_click_ip",
            ratelimit.client_key(request),
            app_settings.ONE_CLICK_RATE_LIMIT,
        ) or _over_limit(
            request,
            "one_click_link",
            ratelimit.value_key(token),
            app_settings.ONE_CLICK_PER_LINK_RATE_LIMIT,
        )
    else:
        limited = _link_limit(request)
    if limited:
        return limited
    try:
        data, user = _unsubscribe_target(token)
    except InvalidToken:
        return HttpResponse(_("This unsubscribe link is not valid."), status=400)
    if request.method == "GET":
        # A scanner or a person opened the header URL: show the page, change nothing.
        return render(
            request,
            "oscar_loyalty/consent/unsubscribe.html",
            {"action": reverse("loyalty:unsubscribe-one-click", args=[token])},
        )
    _withdraw(request, data, user, source=ConsentRecord.SOURCE_ONE_CLICK)
    return HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8")
