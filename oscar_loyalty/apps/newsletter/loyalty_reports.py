"""The newsletter app's report: newsletter results.

Found by the report registry (``oscar_loyalty.reporting``) only when this app
is installed, so a store without it (and without Wagtail) has no such report.
"""

from __future__ import annotations

import re
from collections import Counter

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.reporting import Chart, Column, Report, ratio, register

from .models import Campaign, OutboxMessage

OPENED, CLICKED = "opened", "clicked"
CAMPAIGN_RE = re.compile(r"campaign:([0-9]{1,18})")


def campaign_of_message(ref: str) -> int | None:
    """The campaign id in a message reference ``campaign:12/outbox:345``."""
    head = (ref or "").split("/", 1)[0]
    # 1-18 ASCII digits: the reference can come from a provider's event, and
    # int() raises on "²" or on more than 4300 digits (and reads "١" as 1).
    match = CAMPAIGN_RE.fullmatch(head)
    return int(match[1]) if match else None


@register
class NewsletterResultsReport(Report):
    key = "newsletter"
    order = 100
    title = _("Newsletter results")
    description = _(
        "Campaigns that started sending in the range: messages sent, delivered, opened, clicked, "
        "and the unsubscribes and bounces they caused."
    )
    columns = (
        Column("campaign", _("Campaign"), "text"),
        Column("sent_on", _("Sent"), "date"),
        Column("sent", _("Sent messages")),
        Column("delivered", _("Delivered")),
        Column("opened", _("Opened")),
        Column("clicked", _("Clicked")),
        Column("unsubscribed", _("Unsubscribed")),
        Column("bounced", _("Bounced")),
        Column("open_rate", _("Open rate"), "percent"),
        Column("click_rate", _("Click rate"), "percent"),
    )
    chart = Chart("bar", "campaign", ("delivered", "opened", "clicked", "unsubscribed", "bounced"))

    def rows(self, period):
        campaigns = list(
            # Only campaigns that started sending: ``queued_at`` is stamped when the
            # fan-out starts, so a campaign scheduled for later (or a draft, or one
            # cancelled before its time) is not listed as sent, whenever it was created.
            Campaign.objects.annotate(sent_on=F("queued_at"))
            .filter(
                queued_at__isnull=False,
                sent_on__gte=period.start_at,
                sent_on__lt=period.end_before,
                status__in=[Campaign.QUEUED, Campaign.DONE],
            )
            .annotate(
                sent=Count(
                    "messages",
                    filter=Q(messages__status__in=[OutboxMessage.SENT, OutboxMessage.BOUNCED]),
                ),
                bounced=Count("messages", filter=Q(messages__status=OutboxMessage.BOUNCED)),
            )
            .order_by("sent_on", "pk")
        )
        ids = [campaign.pk for campaign in campaigns]
        events = Counter()
        if ids:
            # The newsletter app stamps a message's first open and first click
            # (``apply_tracking_event``), so a message opened twice counts once.
            counts = (
                OutboxMessage.objects.filter(campaign_id__in=ids)
                .values("campaign_id")
                .annotate(
                    opened=Count("pk", filter=Q(opened_at__isnull=False)),
                    clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
                )
                .order_by()
            )
            for row in counts:
                events[(row["campaign_id"], OPENED)] = row["opened"]
                events[(row["campaign_id"], CLICKED)] = row["clicked"]
        unsubscribed = Counter()
        withdrawals = ConsentRecord.objects.filter(
            action=ConsentRecord.WITHDRAW,
            created_at__gte=period.start_at,
            evidence__message__startswith="campaign:",
        ).values_list("evidence__message", flat=True)
        for ref in withdrawals.iterator():
            unsubscribed[campaign_of_message(ref)] += 1
        rows = []
        for campaign in campaigns:
            delivered = campaign.sent - campaign.bounced
            opened = events[(campaign.pk, OPENED)]
            clicked = events[(campaign.pk, CLICKED)]
            rows.append(
                {
                    "campaign": campaign.name,
                    "sent_on": campaign.sent_on.date(),
                    "sent": campaign.sent,
                    "delivered": delivered,
                    "opened": opened,
                    "clicked": clicked,
                    "unsubscribed": unsubscribed[campaign.pk],
                    "bounced": campaign.bounced,
                    "open_rate": ratio(opened, delivered),
                    "click_rate": ratio(clicked, delivered),
                }
            )
        return rows
