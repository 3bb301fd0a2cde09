"""Staff pages for a customer's data: download it, erase it, and the erasure log.

Keyed by the customer's *user* id, so they work for members and for shoppers
who never joined; the member detail page links here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.privacy import erasure
from oscar_loyalty.apps.privacy.forms import StaffErasureForm
from oscar_loyalty.apps.privacy.models import ErasureRequest
from oscar_loyalty.apps.privacy.views import json_download
from oscar_loyalty.exceptions import PrivacyError

TEMPLATES = "oscar_loyalty/dashboard/privacy"


class _CustomerMixin:
    def get_customer(self):
        return get_object_or_404(get_user_model(), pk=self.kwargs["pk"])


class CustomerPrivacyView(_CustomerMixin, generic.TemplateView):
    """What the customer has with us, the download button and the link to erase."""

    template_name = f"{TEMPLATES}/customer.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer = self.get_customer()
        ctx.update(customer=customer, page_title=_("Personal data"))
        try:
            erasure.check_erasable(customer)
        except PrivacyError as error:
            ctx["erasure_blocked"] = error.message
        return ctx


class CustomerExportView(_CustomerMixin, generic.View):
    def get(self, request, pk):
        return json_download(self.get_customer())


class CustomerEraseView(_CustomerMixin, generic.FormView):
    """Confirm by typing the customer's email address; then erase in one transaction."""

    template_name = f"{TEMPLATES}/erase.html"
    form_class = StaffErasureForm

    def get_form_kwargs(self):
        return {"user": self.get_customer(), **super().get_form_kwargs()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(customer=self.get_customer(), page_title=_("Erase personal data"))
        return ctx

    def form_valid(self, form):
        try:
            erasure.erase_user(
                form.user, source=ErasureRequest.STAFF, staff_user=self.request.user
            )
        except PrivacyError as error:
            messages.error(self.request, error.message)
            return redirect("loyalty_dashboard:loyalty-privacy-customer", pk=form.user.pk)
        messages.success(self.request, _("The customer's personal data was erased."))
        return redirect("loyalty_dashboard:loyalty-privacy-erasures")


class ErasureLogView(generic.ListView):
    """Every erasure: when, asked by whom, what changed (numbers only)."""

    template_name = f"{TEMPLATES}/erasure_list.html"
    context_object_name = "erasures"
    paginate_by = 50

    def get_queryset(self):
        return ErasureRequest.objects.select_related("staff_user")

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title=_("Erasures"), **kwargs)


def get_urls() -> list:
    return [
        path(
            "privacy/customers/<int:pk>/",
            CustomerPrivacyView.as_view(),
            name="loyalty-privacy-customer",
        ),
        path(
            "privacy/customers/<int:pk>/export/",
            CustomerExportView.as_view(),
            name="loyalty-privacy-export",
        ),
        path(
            "privacy/customers/<int:pk>/erase/",
            CustomerEraseView.as_view(),
            name="loyalty-privacy-erase",
        ),
        path("privacy/erasures/", ErasureLogView.as_view(), name="loyalty-privacy-erasures"),
    ]
