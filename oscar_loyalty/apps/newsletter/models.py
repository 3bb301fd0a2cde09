"""Newsletters (Wagtail snippets with drafts and revisions), campaigns and the outbox.

Why a snippet and not a Page: a newsletter is not a web page with a URL in
the page tree; a snippet gets drafts, revisions, preview modes (HTML email and
plain text) and an admin listing without taking a place in the site's tree.
The row holds the published version; the newest revision holds the draft.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, PreviewableMixin, RevisionMixin

from .blocks import NewsletterBody


def language_choices():
    # Callables, not the values: a migration then names these functions instead of
    # freezing the LANGUAGES of whoever generated it, and a store with other
    # LANGUAGES sees no pending migration of the add-on (issue #18).
    return settings.LANGUAGES


def default_language():
    return settings.LANGUAGE_CODE


class Newsletter(DraftStateMixin, RevisionMixin, PreviewableMixin, models.Model):
    """One issue, in one language; a translation points at the original."""

    title = models.CharField(_("internal name"), max_length=255)
    language = models.CharField(
        _("language"), max_length=8, choices=language_choices, default=default_language
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text=_("Members whose language is this one get this version instead."),
    )
    subject = models.CharField(
        _("subject"),
        max_length=200,
        help_text=_('The advertising prefix ("פרסומת") is added when sending.'),
    )
    preheader = models.CharField(_("preview text"), max_length=200, blank=True)
    body = StreamField(NewsletterBody(), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="loyalty_newsletter")

    panels = [
        FieldPanel("title"),
        FieldPanel("language"),
        FieldPanel("translation_of"),
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions

    # Preview --------------------------------------------------------------

    preview_modes = [("html", _("HTML email")), ("text", _("Plain text"))]

    def serve_preview(self, request, mode_name):
        from django.http import HttpResponse

        from .rendering import preview

        subject, html, text = preview(self, user=request.user)
        if mode_name == "text":
            return HttpResponse(
                f"Subject: {subject}\n\n{text}", content_type="text/plain; charset=utf-8"
            )
        return HttpResponse(html)

    def version_for(self, language: str) -> Newsletter:
        """The published translation for ``language``, or this newsletter."""
        if self.language == language:
            return self
        return self.translations.filter(language=language, live=True).first() or self


CHANNELS = [("email", _("Email")), ("sms", _("SMS")), ("whatsapp", _("WhatsApp"))]
CHANNEL_NAMES = tuple(name for name, _label in CHANNELS)


def default_channels():
    return ["email"]


class Campaign(models.Model):
    """One newsletter to an audience: the segment ∩ consent − suppressions, per channel.

    The segment is the only way to choose the audience (issue #19: tier and
    interest lists became segments, migration 0004). Each of the campaign's
    ``channels`` reaches the members who consented to advertising on it; the
    rows of all channels share one outbox and one guarantee (``sending``).
    """

    DRAFT, SCHEDULED, QUEUED, DONE, CANCELLED = "draft", "scheduled", "queued", "done", "cancelled"
    STATUS_CHOICES = [
        (DRAFT, _("Draft")),
        (SCHEDULED, _("Scheduled")),
        (QUEUED, _("Sending")),
        (DONE, _("Sent")),
        (CANCELLED, _("Cancelled")),
    ]

    name = models.CharField(_("name"), max_length=255)
    newsletter = models.ForeignKey(
        Newsletter,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("newsletter"),
    )
    segment = models.ForeignKey(
        "loyalty_segments.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("segment"),
        help_text=_(
            "Only members of this saved segment; empty: every member. "
            "Consent to advertising by email is always required."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=STATUS_CHOICES, default=DRAFT, db_index=True
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    channels = models.JSONField(
        _("channels"),
        default=default_channels,
        help_text=_("Email, SMS and/or WhatsApp: each reaches the members who consented to it."),
    )
    sms_text = models.TextField(
        _("SMS and WhatsApp text"),
        blank=True,
        help_text=_(
            'The advertising prefix ("פרסומת"), the store\'s name and the refusal '
            "instruction are added when sending."
        ),
    )
    whatsapp_template = models.CharField(
        _("WhatsApp template"),
        max_length=512,
        blank=True,
        help_text=_("The name of the approved marketing template (Meta Cloud API)."),
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from .sms_fields import registered, unknown_fields

        super().clean()
        unknown = unknown_fields(self.sms_text)
        if unknown:
            raise ValidationError(
                {
                    "sms_text": _("Unknown merge field %(fields)s. The fields are: %(known)s.")
                    % {
                        "fields": ", ".join(f"{{{name}}}" for name in unknown),
                        "known": ", ".join(f"{{{name}}}" for name in registered()),
                    }
                }
            )

    def progress(self) -> dict[str, int]:
        counts = dict(
            self.messages.values_list("status").annotate(n=models.Count("pk")).order_by()
        )
        return {status: counts.get(status, 0) for status, _label in OutboxMessage.STATUS_CHOICES}


class OutboxMessage(models.Model):
    """One recipient of one campaign on one channel: the unit of exactly-once sending.

    A row without a campaign is a member notice (``notices``): one member
    email type sent by SMS or WhatsApp, through the same states.

    Email, SMS and WhatsApp rows go through the same states, claims and
    leases; only the provider call differs (``channels``). ``email_hash`` is
    the keyed hash of the row's address on its channel: the email address, or
    the phone number hashed per channel (``oscar_loyalty.phones``).

    ``pending`` → ``claimed`` (a worker holds it, nothing sent yet) →
    ``sending`` (committed just before the ESP call) → ``sent`` / ``failed``.
    A ``claimed`` or ``sending`` row whose lease ran out goes back to
    ``pending``; a ``sending`` one only if no ESP event confirmed it by then
    (see ``sending`` and docs/newsletter.md, "Guarantees"). ``unknown``: the
    ESP left the last allowed attempt unanswered.
    """

    PENDING, CLAIMED, SENDING = "pending", "claimed", "sending"
    SENT, FAILED, SKIPPED, BOUNCED, UNKNOWN = "sent", "failed", "skipped", "bounced", "unknown"
    STATUS_CHOICES = [
        (PENDING, _("Pending")),
        (CLAIMED, _("Claimed by a worker")),
        (SENDING, _("Handed to the provider")),
        (SENT, _("Sent")),
        (FAILED, _("Failed")),
        (SKIPPED, _("Skipped (consent or suppression changed)")),
        (BOUNCED, _("Bounced")),
        (UNKNOWN, _("Unknown (worker stopped while sending)")),
    ]

    # No index of its own: the unique constraints and the claim index below
    # all start with campaign. Every index costs each of a message's three
    # status updates (claimed, sending, sent) an insertion.
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=CHANNELS, default="email")
    email_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PENDING)
    claim_token = models.UUIDField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Indexed in Meta: looked up only by equality (webhooks), so without the
    # second, LIKE-pattern index PostgreSQL gives a db_index CharField.
    esp_message_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The first open and click the ESP reported (its tracking webhooks), for the
    # member timeline; later events of the same kind keep the first time.
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A member notice (no campaign): its member email type, the text rendered
    # when it was queued (the §30A frame is added at send time for an
    # advertising one), and the key that makes queuing it twice a no-op.
    notice = models.CharField(max_length=64, blank=True)
    notice_key = models.CharField(max_length=191, blank=True)
    body = models.TextField(blank=True)
    advertising = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("outbox message")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "user"], name="loyalty_outbox_once_per_channel"
            ),
            models.UniqueConstraint(
                fields=["campaign", "channel", "email_hash"],
                name="loyalty_outbox_once_per_channel_address",
            ),
            models.UniqueConstraint(
                fields=["notice_key"],
                condition=~models.Q(notice_key=""),
                name="loyalty_outbox_notice_once",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "next_attempt_at"]),
            models.Index(fields=["esp_message_id"], name="loyalty_outbox_esp_id"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.pk} {self.status}"

    @property
    def message_ref(self) -> str:
        if self.campaign_id is None:
            return f"notice:{self.notice}/outbox:{self.pk}"
        return f"campaign:{self.campaign_id}/outbox:{self.pk}"
