"""Staff page: one member's timeline (first visit, joining, orders, points, emails, ...)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.views import generic

from oscar_loyalty.apps.journey.timeline import member_timeline
from oscar_loyalty.apps.membership.models import Member


class MemberTimelineView(generic.TemplateView):
    template_name = "oscar_loyalty/dashboard/member_timeline.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = get_object_or_404(
            Member.objects.select_related("user", "plan", "tier"), pk=self.kwargs["pk"]
        )
        newest_first = self.request.GET.get("order") == "newest"
        ctx.update(
            member=member,
            events=member_timeline(member, newest_first=newest_first),
            newest_first=newest_first,
        )
        return ctx


def get_urls() -> list:
    return [
        path(
            "members/<int:pk>/timeline/",
            MemberTimelineView.as_view(),
            name="loyalty-member-timeline",
        )
    ]
