"""Staff pages for points for actions: the rules, created, edited and switched on or off."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.actions.forms import ActionRuleForm
from oscar_loyalty.apps.actions.models import ActionAward, ActionRule

from .views import _SavedMessageMixin, _ToggleView


class RuleListView(generic.ListView):
    template_name = "oscar_loyalty/dashboard/actions/rule_list.html"
    context_object_name = "rules"
    extra_context = {"page_title": _("Points for actions")}

    def get_queryset(self):
        # Points standing now per rule; the report gives the flows by period.
        return ActionRule.objects.prefetch_related("tiers").annotate(
            standing=Count("awards", filter=Q(awards__status=ActionAward.EARNED)),
            points_standing=Sum("awards__points", filter=Q(awards__status=ActionAward.EARNED)),
        )


class RuleCreateView(_SavedMessageMixin, generic.CreateView):
    model = ActionRule
    form_class = ActionRuleForm
    template_name = "oscar_loyalty/dashboard/form.html"
    success_message = _("Rule “%(name)s” saved.")
    extra_context = {"title": _("Points for an action"), "list_url_name": "loyalty-actions-list"}

    def get_success_url(self):
        return reverse("loyalty_dashboard:loyalty-actions-list")


class RuleUpdateView(RuleCreateView, generic.UpdateView):
    pass


class RuleToggleView(_ToggleView):
    model = ActionRule
    list_url_name = "loyalty-actions-list"


def get_urls():
    return [
        path("actions/", RuleListView.as_view(), name="loyalty-actions-list"),
        path("actions/create/", RuleCreateView.as_view(), name="loyalty-actions-create"),
        path("actions/<int:pk>/", RuleUpdateView.as_view(), name="loyalty-actions-update"),
        path("actions/<int:pk>/toggle/", RuleToggleView.as_view(), name="loyalty-actions-toggle"),
    ]
