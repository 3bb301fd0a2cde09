"""Staff pages for tier-only products: which ranges only some tiers may buy, and until when.

Beside the club's promotions: a list of the rules, a form to create or
change one (``services.save_tier_only_range`` validates and refuses, the
form only collects), and a button that opens a range to everyone again.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.offers import services
from oscar_loyalty.apps.offers.forms import TierOnlyRangeForm
from oscar_loyalty.apps.offers.tier_only import TierOnlyRange
from oscar_loyalty.exceptions import LoyaltyError

LIST_URL = "loyalty_dashboard:loyalty-offers-tier-only-list"


class TierOnlyListView(generic.ListView):
    template_name = "oscar_loyalty/dashboard/offers/tier_only_list.html"
    context_object_name = "rules"
    extra_context = {"page_title": _("Tier-only products")}

    def get_queryset(self):
        return (
            TierOnlyRange.objects.select_related("range")
            .prefetch_related("tiers")
            .order_by("range__name", "pk")
        )


class TierOnlyCreateView(generic.FormView):
    form_class = TierOnlyRangeForm
    template_name = "oscar_loyalty/dashboard/form.html"
    extra_context = {
        "title": _("Tier-only products"),
        "list_url_name": "loyalty-offers-tier-only-list",
    }
    rule = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rule": self.rule}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            rule = services.save_tier_only_range(
                range=self.rule.range if self.rule else data["range"],
                tiers=list(data["tiers"]),
                everyone_from=data["everyone_from"],
            )
        except LoyaltyError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("“%(range)s” saved: only its tiers may buy it.") % {"range": rule.range},
        )
        return redirect(LIST_URL)


class TierOnlyUpdateView(TierOnlyCreateView):
    def dispatch(self, request, *args, **kwargs):
        self.rule = get_object_or_404(
            TierOnlyRange.objects.select_related("range"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)


class TierOnlyRemoveView(generic.View):
    """POST: the range's products are open to every shopper again."""

    def post(self, request, pk):
        rule = get_object_or_404(TierOnlyRange.objects.select_related("range"), pk=pk)
        services.remove_tier_only_range(range=rule.range)
        messages.success(
            request, _("“%(range)s” is open to every shopper again.") % {"range": rule.range}
        )
        return redirect(LIST_URL)


def get_urls() -> list:
    return [
        path(
            "offers/tier-only/", TierOnlyListView.as_view(), name="loyalty-offers-tier-only-list"
        ),
        path(
            "offers/tier-only/create/",
            TierOnlyCreateView.as_view(),
            name="loyalty-offers-tier-only-create",
        ),
        path(
            "offers/tier-only/<int:pk>/",
            TierOnlyUpdateView.as_view(),
            name="loyalty-offers-tier-only-update",
        ),
        path(
            "offers/tier-only/<int:pk>/remove/",
            TierOnlyRemoveView.as_view(),
            name="loyalty-offers-tier-only-remove",
        ),
    ]
