"""Staff pages for coalition partners (credentials, settlement) and the in-store till."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from oscar.templatetags.currency_filters import currency

from oscar_loyalty.apps.membership.services import find_member_by_number
from oscar_loyalty.apps.partners import instore, services, settlement
from oscar_loyalty.apps.partners.forms import (
    CardLookupForm,
    InStorePurchaseForm,
    InStoreSpendForm,
    PartnerForm,
    SettlementForm,
)
from oscar_loyalty.apps.partners.models import Partner
from oscar_loyalty.apps.partners.signing import partner_secret
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.exceptions import LoyaltyError, MemberNotFound
from oscar_loyalty.money import points_to_money as points_money

TEMPLATES = "oscar_loyalty/dashboard/partners"


def _show_credentials(request, partner: Partner, secret: str, *, title):
    """The secret is shown on this one response and never again (it is not stored)."""
    response = render(
        request,
        f"{TEMPLATES}/credentials.html",
        {
            "partner": partner,
            "secret": secret,
            "page_title": title,
            "api_base": request.build_absolute_uri(reverse("loyalty:partners_api:earn"))[
                : -len("earn/")
            ],
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class PartnerListView(generic.ListView):
    model = Partner
    template_name = f"{TEMPLATES}/partner_list.html"
    context_object_name = "partners"
    extra_context = {"page_title": _("Partners")}


class PartnerCreateView(generic.CreateView):
    model = Partner
    form_class = PartnerForm
    template_name = "oscar_loyalty/dashboard/form.html"
    extra_context = {"title": _("Partner"), "list_url_name": "loyalty-partners-list"}

    def form_valid(self, form):
        partner = form.save()
        return _show_credentials(
            self.request, partner, partner_secret(partner), title=_("New partner credentials")
        )


class PartnerUpdateView(generic.UpdateView):
    model = Partner
    form_class = PartnerForm
    template_name = "oscar_loyalty/dashboard/form.html"
    extra_context = {"title": _("Partner"), "list_url_name": "loyalty-partners-list"}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Partner “%(name)s” saved.") % {"name": form.instance})
        return redirect("loyalty_dashboard:loyalty-partners-list")


class PartnerRotateView(generic.View):
    """POST: issue a new secret; the old one stops working at once."""

    def post(self, request, pk):
        partner = get_object_or_404(Partner, pk=pk)
        secret = services.rotate_credentials(partner)
        partner.refresh_from_db()
        return _show_credentials(request, partner, secret, title=_("New partner secret"))


class SettlementView(generic.TemplateView):
    """Figures for one partner and period; ``?format=csv`` downloads them."""

    template_name = f"{TEMPLATES}/settlement.html"

    def get(self, request, *args, **kwargs):
        self.partner = get_object_or_404(Partner, pk=kwargs["pk"])
        self.form = SettlementForm(request.GET or None, initial=SettlementForm.default_period())
        if request.GET:
            valid = self.form.is_valid()
            period = self.form.cleaned_data if valid else None
        else:
            period = SettlementForm.default_period()
        self.report = settlement.settle(self.partner, **period) if period else None
        if self.report and request.GET.get("format") == "csv":
            return self.csv_response(self.report)
        return super().get(request, *args, **kwargs)

    def csv_response(self, report):
        out = io.StringIO()
        settlement.write_csv(out, report)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"settlement-{self.partner.slug}-{report.start}-{report.end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            partner=self.partner,
            form=self.form,
            report=self.report,
            page_title=_("Settlement: %(name)s") % {"name": self.partner.name},
        )
        if self.report:
            ctx["csv_query"] = (
                f"start={self.report.start.isoformat()}&end={self.report.end.isoformat()}"
                "&format=csv"
            )
        return ctx


class InStoreView(generic.TemplateView):
    """The till: read a member card (typed, or the camera reading its QR), then spend
    points and record a purchase so that it earns points."""

    template_name = f"{TEMPLATES}/instore.html"
    spend_form = None

    def get(self, request, *args, **kwargs):
        self.lookup_form = CardLookupForm(request.GET or None)
        self.member = None
        self.purchase_form = None
        if self.lookup_form.is_valid():
            self.member = self._find(self.lookup_form.cleaned_data["number"])
            if self.member is not None:
                self.purchase_form = InStorePurchaseForm(initial={"number": self.member.number})
        return super().get(request, *args, **kwargs)

    def _till_url(self, member) -> str:
        return f"{reverse('loyalty_dashboard:loyalty-instore')}?number={member.number}"

    def post(self, request, *args, **kwargs):
        self.purchase_form = InStorePurchaseForm(request.POST)
        self.lookup_form = CardLookupForm()
        self.member = None
        if not self.purchase_form.is_valid():
            number = self.purchase_form.data.get("number", "")
            self.member = self._find(number) if number else None
            return self.render_to_response(self.get_context_data())
        data = self.purchase_form.cleaned_data
        member = self._find(data["number"])
        if member is None:
            return redirect("loyalty_dashboard:loyalty-instore")
        try:
            order, created = instore.record_purchase(
                member,
                amount=data["amount"],
                receipt=data["receipt"],
                staff_user=request.user,
                request=request,
            )
        except LoyaltyError as error:
            messages.error(request, error.message)
            self.member = member
            return self.render_to_response(self.get_context_data())
        earning = getattr(order, "loyalty_points_earning", None)
        if created:
            messages.success(
                request,
                _("Purchase recorded as order %(number)s; it earns %(points)d points.")
                % {"number": order.number, "points": earning.points if earning else 0},
            )
        else:
            messages.info(
                request,
                _("Receipt already recorded as order %(number)s; nothing was added.")
                % {"number": order.number},
            )
        return redirect(self._till_url(member))

    def _find(self, number):
        try:
            return find_member_by_number(number)
        except MemberNotFound as error:
            messages.error(self.request, error.message)
            return None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = self.member
        ctx.update(
            page_title=_("In the shop"),
            lookup_form=self.lookup_form,
            purchase_form=self.purchase_form,
            member=member,
        )
        if member is not None:
            ctx.update(
                account=points.get_account(member),
                summary=points.get_summary(member.user) if member.user_id else None,
                has_benefits=member.has_benefits(),
                spend_form=self.spend_form or InStoreSpendForm(initial={"number": member.number}),
            )
        return ctx


class InStoreSpendView(InStoreView):
    """POST: the member pays part of the bill with points (same permission as the till)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.spend_form = InStoreSpendForm(request.POST)
        self.lookup_form = CardLookupForm()
        number = self.spend_form.data.get("number", "")
        self.member = self._find(number) if number else None
        if self.member is None:
            return redirect("loyalty_dashboard:loyalty-instore")
        self.purchase_form = InStorePurchaseForm(initial={"number": self.member.number})
        if not self.spend_form.is_valid():
            return self.render_to_response(self.get_context_data())
        data = self.spend_form.cleaned_data
        try:
            entry, created = instore.spend_points(
                self.member,
                points_to_spend=data["points"],
                receipt=data["receipt"],
                staff_user=request.user,
            )
        except LoyaltyError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data())
        spent = -entry.points
        values = {
            "points": spent,
            "value": currency(points_money(spent)),
            "receipt": data["receipt"],
        }
        if created:
            messages.success(
                request,
                _("%(points)s points spent on receipt %(receipt)s: take %(value)s off the bill.")
                % values,
            )
        else:
            messages.info(
                request,
                _(
                    "%(points)s points were already spent on receipt %(receipt)s "
                    "(%(value)s off); nothing was taken twice."
                )
                % values,
            )
        return redirect(self._till_url(self.member))


def get_urls() -> list:
    return [
        path("partners/", PartnerListView.as_view(), name="loyalty-partners-list"),
        path("partners/create/", PartnerCreateView.as_view(), name="loyalty-partners-create"),
        path("partners/<int:pk>/", PartnerUpdateView.as_view(), name="loyalty-partners-update"),
        path(
            "partners/<int:pk>/rotate/",
            PartnerRotateView.as_view(),
            name="loyalty-partners-rotate",
        ),
        path(
            "partners/<int:pk>/settlement/",
            SettlementView.as_view(),
            name="loyalty-partners-settlement",
        ),
        path("in-store/", InStoreView.as_view(), name="loyalty-instore"),
        path("in-store/spend/", InStoreSpendView.as_view(), name="loyalty-instore-spend"),
    ]
