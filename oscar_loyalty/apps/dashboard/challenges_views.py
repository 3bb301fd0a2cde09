"""Staff pages for challenges: the list with each one's funnel, create and edit."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.challenges.forms import ChallengeForm
from oscar_loyalty.apps.challenges.funnel import funnel
from oscar_loyalty.apps.challenges.models import Challenge

from .views import _SavedMessageMixin


class ChallengeListView(generic.ListView):
    model = Challenge
    template_name = "oscar_loyalty/dashboard/challenges/challenge_list.html"
    context_object_name = "challenges"
    paginate_by = 50
    extra_context = {"page_title": _("Challenges")}

    def get_queryset(self):
        return Challenge.objects.order_by("-starts_at", "-pk")


class ChallengeCreateView(_SavedMessageMixin, generic.CreateView):
    model = Challenge
    form_class = ChallengeForm
    template_name = "oscar_loyalty/dashboard/form.html"
    success_message = _("Challenge “%(name)s” saved.")
    extra_context = {"title": _("Challenge"), "list_url_name": "loyalty-challenges-list"}

    def get_success_url(self):
        return reverse("loyalty_dashboard:loyalty-challenges-list")


class ChallengeUpdateView(ChallengeCreateView, generic.UpdateView):
    pass


class ChallengeFunnelView(generic.TemplateView):
    template_name = "oscar_loyalty/dashboard/challenges/funnel.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        challenge = get_object_or_404(Challenge, pk=self.kwargs["pk"])
        ctx.update(challenge=challenge, funnel=funnel(challenge), page_title=challenge.name)
        return ctx


def get_urls() -> list:
    return [
        path("challenges/", ChallengeListView.as_view(), name="loyalty-challenges-list"),
        path(
            "challenges/create/",
            ChallengeCreateView.as_view(),
            name="loyalty-challenges-create",
        ),
        path(
            "challenges/<int:pk>/",
            ChallengeUpdateView.as_view(),
            name="loyalty-challenges-update",
        ),
        path(
            "challenges/<int:pk>/funnel/",
            ChallengeFunnelView.as_view(),
            name="loyalty-challenges-funnel",
        ),
    ]
