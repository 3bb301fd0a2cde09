"""Wagtail admin: newsletters (snippets) and campaigns with their progress page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton
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
    # A search of its own (database icontains): also the listing's ``search_form``,
    # so Oscar's site-wide product search form cannot take its place.
    search_fields = ["title", "subject"]


CHANGE_CAMPAIGN = "loyalty_newsletter.change_campaign"


def _send_label():
    return _("Send, schedule or test")


class CampaignIndexView(generic.IndexView):
    """The campaign list, each row with a button to its Send/Schedule/Test page."""

    progress_url_name = None

    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if self.request.user.has_perm(CHANGE_CAMPAIGN):
            # Before the "more" dropdown, as Wagtail's own page listings put "Edit".
            buttons.insert(
                0,
                ListingButton(
                    _send_label(),
                    url=reverse(self.progress_url_name, args=[instance.pk]),
                    icon_name="mail",
                    attrs={
                        "data-loyalty-campaign-send": str(instance.pk),
                        "aria-label": _("Send, schedule or test “%(name)s”")
                        % {"name": instance.name},
                    },
                    priority=5,
                ),
            )
        return buttons


class CampaignEditView(generic.EditView):
    """The campaign's edit form, with the Send/Schedule/Test page as a header button."""

    progress_url_name = None

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _send_label(),
                url=reverse(self.progress_url_name, args=[self.object.pk]),
                icon_name="mail",
                attrs={"data-loyalty-campaign-send": str(self.object.pk)},
            ),
        ]


class CampaignViewSet(ModelViewSet):
    model = Campaign
    index_view_class = CampaignIndexView
    edit_view_class = CampaignEditView
    icon = "resubmit"
    menu_label = gettext_lazy("Newsletter campaigns")
    add_to_admin_menu = True
    menu_order = 251
    # The audience is the segment alone (tiers and interests are segment conditions).
    form_fields = ["name", "newsletter", "segment", "scheduled_at"]
    list_display = ["name", "newsletter", "status", "recipients", "created_at"]
    search_fields = ["name"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            progress_url_name=self.get_url_name("progress"), **kwargs
        )

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            progress_url_name=self.get_url_name("progress"), **kwargs
        )

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
                "breadcrumbs_items": [
                    {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                    {"url": reverse(self.get_url_name("index")), "label": self.menu_label},
                    {"url": "", "label": campaign.name},
                ],
                # Not Oscar's product search form from its context processor.
                "search_form": None,
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
