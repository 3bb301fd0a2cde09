from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django_tables2 import Column, SingleTableView

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member, Plan, Tier
from oscar_loyalty.exceptions import MemberNotFound

from .forms import MemberLookupForm, MemberSearchForm, PlanForm, TierForm
from .tables import MemberTable


def points_installed() -> bool:
    return apps.is_installed("oscar_loyalty.apps.points")


def with_points_balance(queryset):
    """Members with ``points_balance`` (0 without an account), when the points app is there."""
    if not points_installed():
        return queryset
    return queryset.annotate(points_balance=Coalesce(F("points_account__balance"), 0))


def search_condition(text: str) -> Q:
    """Every word must match a name or the email ("dana levi"); digits may be a card number."""
    condition = Q()
    for word in text.split():
        condition &= (
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    compact = text.replace(" ", "").replace("-", "")
    # ASCII digits only, as card numbers are (membership.numbers.has_foreign_digits).
    if compact.isascii() and compact.isdigit():
        condition |= Q(number__startswith=compact)
    return condition


class MemberListView(SingleTableView):
    template_name = "oscar_loyalty/dashboard/member_list.html"
    table_class = MemberTable
    context_table_name = "members"

    def get_table_pagination(self, table):
        return {"per_page": settings.OSCAR_DASHBOARD_ITEMS_PER_PAGE}

    def get_queryset(self):
        qs = with_points_balance(Member.objects.select_related("user", "plan", "tier"))
        self.form = MemberSearchForm(self.request.GET or None)
        if not self.form.is_valid():
            return qs
        data = self.form.cleaned_data
        if data["q"]:
            qs = qs.filter(search_condition(data["q"]))
        if data["tier"]:
            qs = qs.filter(tier=data["tier"])
        if data["plan"]:
            qs = qs.filter(plan=data["plan"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        return qs

    def get_table_kwargs(self):
        if not points_installed():
            return {}
        # In the same query as the members (``with_points_balance``): no query per row.
        column = Column(
            accessor="points_balance",
            verbose_name=_("Points"),
            attrs={"td": {"dir": "ltr", "class": "loyalty-points-balance"}},
        )
        return {"extra_columns": [("points_balance", column)]}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = self.form
        ctx["lookup_form"] = MemberLookupForm()
        return ctx


class MemberLookupView(generic.View):
    """Jump to a member by card number; an unknown number gets a clear message."""

    def get(self, request):
        form = MemberLookupForm(request.GET)
        if form.is_valid():
            try:
                member = services.find_member_by_number(form.cleaned_data["number"])
            except MemberNotFound as error:
                messages.error(request, error.message)
            else:
                return redirect("loyalty_dashboard:loyalty-member-detail", pk=member.pk)
        else:
            messages.error(request, _("Enter a member number."))
        return redirect("loyalty_dashboard:loyalty-member-list")


class MemberDetailView(generic.DetailView):
    template_name = "oscar_loyalty/dashboard/member_detail.html"
    context_object_name = "member"

    def get_object(self, queryset=None):
        return get_object_or_404(
            with_points_balance(Member.objects.select_related("user", "plan", "tier")),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = self.object
        ctx.update(
            terms=member.terms.select_related("plan", "order"),
            tier_changes=member.tier_changes.select_related("from_tier", "to_tier"),
            consents=ConsentRecord.objects.filter(user_id=member.user_id)
            if member.user_id
            else ConsentRecord.objects.none(),
            interests=member.interests.all(),
            has_benefits=member.has_benefits(),
        )
        return ctx


class _SavedMessageMixin:
    success_message = ""

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_message % {"name": self.object})
        return response


class PlanListView(generic.ListView):
    model = Plan
    template_name = "oscar_loyalty/dashboard/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return Plan.objects.select_related("product")


class PlanCreateView(_SavedMessageMixin, generic.CreateView):
    model = Plan
    form_class = PlanForm
    template_name = "oscar_loyalty/dashboard/form.html"
    success_message = _("Plan “%(name)s” created.")
    extra_context = {"title": _("Create a plan"), "list_url_name": "loyalty-plan-list"}

    def get_success_url(self):
        return reverse("loyalty_dashboard:loyalty-plan-list")


class PlanUpdateView(PlanCreateView, generic.UpdateView):
    success_message = _("Plan “%(name)s” saved.")
    extra_context = {"title": _("Edit plan"), "list_url_name": "loyalty-plan-list"}


class _ToggleView(generic.View):
    """POST only: switch ``is_active``. Deactivated rows stay for history."""

    model = None
    list_url_name = ""

    def post(self, request, pk):
        obj = get_object_or_404(self.model, pk=pk)
        obj.is_active = not obj.is_active
        obj.save(update_fields=["is_active"])
        if obj.is_active:
            messages.success(request, _("“%(name)s” is active.") % {"name": obj})
        else:
            messages.success(request, _("“%(name)s” is deactivated.") % {"name": obj})
        return redirect(f"loyalty_dashboard:{self.list_url_name}")


class PlanToggleView(_ToggleView):
    model = Plan
    list_url_name = "loyalty-plan-list"


class TierListView(generic.ListView):
    model = Tier
    template_name = "oscar_loyalty/dashboard/tier_list.html"
    context_object_name = "tiers"


class TierCreateView(_SavedMessageMixin, generic.CreateView):
    model = Tier
    form_class = TierForm
    template_name = "oscar_loyalty/dashboard/form.html"
    success_message = _("Tier “%(name)s” created.")
    extra_context = {"title": _("Create a tier"), "list_url_name": "loyalty-tier-list"}

    def get_success_url(self):
        return reverse("loyalty_dashboard:loyalty-tier-list")


class TierUpdateView(TierCreateView, generic.UpdateView):
    success_message = _("Tier “%(name)s” saved.")
    extra_context = {"title": _("Edit tier"), "list_url_name": "loyalty-tier-list"}


class TierToggleView(_ToggleView):
    model = Tier
    list_url_name = "loyalty-tier-list"
