"""The member's privacy page: download my data, erase my account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty import ratelimit
from oscar_loyalty.exceptions import PrivacyError, RateLimited

from . import erasure, export
from .forms import ErasureForm
from .models import ErasureRequest

#: Wrong passwords on the erasure form per account: someone holding a stolen
#: session cannot use the form to guess the password.
PASSWORD_LIMIT = (5, 900)


def json_download(user) -> HttpResponse:
    response = HttpResponse(export.export_json(user), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(user)}"'
    response["Cache-Control"] = "no-store"
    return response


class PrivacyView(LoginRequiredMixin, generic.FormView):
    """Account tab: what we keep, the download button and the erasure form."""

    template_name = "oscar_loyalty/privacy/account.html"
    form_class = ErasureForm

    def get_form_kwargs(self):
        return {"user": self.request.user, **super().get_form_kwargs()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(page_title=_("Your data"), active_tab="loyalty-privacy")
        try:
            erasure.check_erasable(self.request.user)
        except PrivacyError as error:
            ctx["erasure_blocked"] = error.message
        return ctx

    def post(self, request, *args, **kwargs):
        if ratelimit.is_limited("erasure_password", str(request.user.pk), limit=PASSWORD_LIMIT):
            messages.error(request, RateLimited.default_message)
            return redirect("loyalty:privacy")
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if "password" in form.errors:
            ratelimit.count("erasure_password", str(self.request.user.pk), limit=PASSWORD_LIMIT)
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            erasure.erase_user(self.request.user, source=ErasureRequest.MEMBER)
        except PrivacyError as error:
            messages.error(self.request, error.message)
            return redirect("loyalty:privacy")
        logout(self.request)
        messages.success(self.request, _("Your account and personal data were erased."))
        return redirect("/")


class ExportView(LoginRequiredMixin, generic.View):
    """``GET``: the member's data as a JSON file."""

    def get(self, request):
        return json_download(request.user)
