"""Wagtail admin: newsletters (snippets) and campaigns with their progress page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from oscar_loyalty.exceptions import LoyaltyError

from . import services
from .models import Campaign, Newsletter


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    # Lazy: class attributes are built once, at import, before any language is active.
    menu_label = gettext_lazy("Newsletters")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["title", "language", "subject", "live", "updated_at"]


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "resubmit"
    menu_label = gettext_lazy("Newsletter campaigns")
    add_to_admin_menu = True
    menu_order = 251
    # The audience is the segment alone (tiers and interests are segment conditions).
    form_fields = ["name", "newsletter", "segment", "scheduled_at"]
    list_display = ["name", "newsletter", "status", "recipients", "created_at"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/progress/", self.progress_view, name="progress"),
            path("<int:pk>/send/", require_POST(self.send_view), name="send"),
            path("<int:pk>/test/", require_POST(self.test_view), name="test"),
        ]

    def _campaign(self, request, pk) -> Campaign:
        if not request.user.has_perm("loyalty_newsletter.change_campaign"):
            raise PermissionDenied
        return get_object_or_404(Campaign.objects.select_related("newsletter"), pk=pk)

    def progress_view(self, request, pk):
        campaign = self._campaign(request, pk)
        return TemplateResponse(
            request,
            "oscar_loyalty/newsletter/admin/progress.html",
            {
                "campaign": campaign,
                "progress": campaign.progress(),
                "sending": campaign.status == Campaign.QUEUED,
                "send_url": reverse(self.get_url_name("send"), args=[pk]),
                "test_url": reverse(self.get_url_name("test"), args=[pk]),
                "edit_url": reverse(self.get_url_name("edit"), args=[pk]),
                "page_title": campaign.name,
            },
        )

    def send_view(self, request, pk):
        campaign = self._campaign(request, pk)
        when = parse_datetime(request.POST.get("at", "") or "") or campaign.scheduled_at
        try:
            if when and when > timezone.now():
                services.schedule_campaign(campaign, at=when)
                messages.success(request, _("The campaign is scheduled."))
            else:
                count = services.send_campaign(campaign)
                messages.success(request, _("Sending to %(n)s recipients.") % {"n": count})
        except LoyaltyError as exc:
            messages.error(request, exc.message)
        return redirect(self.get_url_name("progress"), pk=pk)

    def test_view(self, request, pk):
        campaign = self._campaign(request, pk)
        if services.send_test(campaign.newsletter, user=request.user):
            messages.success(
                request, _("A test was sent to %(email)s.") % {"email": request.user.email}
            )
        else:
            messages.error(request, _("Your account has no email address we may write to."))
        return redirect(self.get_url_name("progress"), pk=pk)


newsletter_viewset = NewsletterViewSet()
campaign_viewset = CampaignViewSet("loyalty_campaigns")
