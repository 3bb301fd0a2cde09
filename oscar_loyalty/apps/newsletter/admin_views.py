"""Wagtail admin: newsletters (snippets) and campaigns with their progress page."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.snippets.views.snippets import SnippetViewSet

from oscar_loyalty import app_settings
from oscar_loyalty.exceptions import LoyaltyError

from . import services, sms_authoring
from .channels import text as sms_text
from .models import CHANNELS, Campaign, Newsletter
from .sms_fields import registered


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
#: Recipients whose SMS the send page shows when no member is asked for.
PREVIEW_MEMBERS = 5


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


def _sms_help() -> str:
    return _(
        'Merge fields: %(fields)s. The advertising prefix ("פרסומת"), the store\'s name '
        "and the refusal instruction are added when sending, and counted below."
    ) % {
        "fields": ", ".join(f"{{{name}}} ({field.label})" for name, field in registered().items())
    }


class SmsTextarea(forms.Textarea):
    """The SMS text with a live counter of characters and parts (``sms-counter.js``).

    The counter counts what ``channels.text`` counts: the text wrapped under
    §30A, with the GSM-7 alphabet handed over from Python, so the two never
    disagree on which characters are GSM-7. Merge fields are counted as
    written; the send page shows each recipient's merged count.
    """

    class Media:
        js = ["oscar_loyalty/js/sms-counter.js"]

    def get_context(self, name, value, attrs):
        from .channel_sending import sender_name

        head = sms_text.compose("", sender=sender_name(), refusal="").rstrip("\n")
        attrs = {
            **(attrs or {}),
            "dir": "auto",
            "data-loyalty-sms-counter": json.dumps(
                {
                    "prefix": sms_text.ADVERTISING_PREFIX,
                    "head": head,
                    "refusal": app_settings.SMS_REFUSAL_TEXT,
                    "basic": "".join(sorted(sms_text.GSM7_BASIC)),
                    "extension": "".join(sorted(sms_text.GSM7_EXTENSION)),
                    "label": _(
                        "%(units)s characters · %(encoding)s · %(parts)s parts "
                        "(%(per_part)s per part, %(remaining)s left)"
                    ),
                }
            ),
        }
        return super().get_context(name, value, attrs)


class SmsTextField(forms.CharField):
    def to_python(self, value):
        # A browser sends a textarea's line breaks as CRLF: one line break in
        # the SMS is "\n" (one character, as the counter counts it).
        return super().to_python(value).replace("\r\n", "\n")


class CampaignViewSet(ModelViewSet):
    model = Campaign
    index_view_class = CampaignIndexView
    edit_view_class = CampaignEditView
    icon = "resubmit"
    menu_label = gettext_lazy("Newsletter campaigns")
    add_to_admin_menu = True
    menu_order = 251
    # The audience is the segment alone (tiers and interests are segment conditions).
    form_fields = [
        "name",
        "newsletter",
        "segment",
        "scheduled_at",
        "channels",
        "sms_text",
        "whatsapp_template",
    ]
    list_display = ["name", "newsletter", "status", "recipients", "created_at"]
    search_fields = ["name"]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "channels":
            return forms.MultipleChoiceField(
                label=db_field.verbose_name,
                help_text=db_field.help_text,
                choices=CHANNELS,
                initial=["email"],
                widget=forms.CheckboxSelectMultiple,
            )
        if db_field.name == "sms_text":
            return SmsTextField(
                label=db_field.verbose_name,
                required=False,
                widget=SmsTextarea(attrs={"rows": 4}),
                help_text=lazy(_sms_help, str)(),
            )
        return super().formfield_for_dbfield(db_field, **kwargs)

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
                **self._sms_context(request, campaign),
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

    def _sms_context(self, request, campaign) -> dict:
        """Before sending: each chosen recipient's exact SMS, and the cost of the whole send."""
        if "sms" not in campaign.channels or campaign.status not in (
            Campaign.DRAFT,
            Campaign.SCHEDULED,
        ):
            return {}
        query = request.GET.get("member", "").strip()
        if query:
            found = sms_authoring.find_in_audience(campaign, query)
            members = [found] if found else []
        else:
            members = sms_authoring.audience_sample(campaign, limit=PREVIEW_MEMBERS)
        return {
            "sms": True,
            "sms_query": query,
            "sms_previews": sms_authoring.preview_sms(campaign, members),
            "sms_estimate": sms_authoring.estimate_cost(campaign),
        }

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
