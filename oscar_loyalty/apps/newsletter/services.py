"""What staff do with campaigns: send now, schedule, send a test to themselves."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.services import is_suppressed
from oscar_loyalty.exceptions import CampaignAlreadySent, CampaignError

from . import rendering, sending
from .models import Campaign, Newsletter


def _enqueue(task, campaign_id: int, *, run_after: datetime | None = None) -> None:
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    transaction.on_commit(lambda: task.enqueue(campaign_id))


def send_campaign(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Queue a campaign for sending now. Returns the number of recipients.

    The rows are created here (so the admin sees progress at once); the
    sending itself runs in the task worker, after the transaction commits.
    """
    from . import tasks

    with transaction.atomic():
        count = sending.fan_out(campaign, now=now)
        _enqueue(tasks.process_campaign, campaign.pk)
    return count


def schedule_campaign(campaign: Campaign, *, at: datetime) -> Campaign:
    """Send at ``at``: a deferred task where the backend supports it, else the periodic command."""
    from . import tasks

    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status not in (Campaign.DRAFT, Campaign.SCHEDULED):
            raise CampaignAlreadySent()
        locked.status, locked.scheduled_at = Campaign.SCHEDULED, at
        locked.save(update_fields=["status", "scheduled_at"])
        if tasks.start_campaign.get_backend().supports_defer:
            _enqueue(tasks.start_campaign, campaign.pk, run_after=at)
    return locked


def start_scheduled(campaign_id: int, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != Campaign.SCHEDULED or (campaign.scheduled_at or now) > now:
        return {"started": False}
    try:
        sending.fan_out(campaign, now=now)
    except CampaignError as exc:
        Campaign.objects.filter(pk=campaign_id, status=Campaign.SCHEDULED).update(
            status=Campaign.CANCELLED
        )
        return {"started": False, "error": str(exc)}
    return {"started": True, **sending.process_campaign(campaign_id, now=now)}


def run_due(*, now: datetime | None = None) -> dict:
    """What the periodic command does: start due scheduled campaigns, drain queued ones."""
    now = now or timezone.now()
    totals = {"started": 0, "sent": 0}
    for campaign_id in Campaign.objects.filter(
        status=Campaign.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        totals["started"] += int(start_scheduled(campaign_id, now=now)["started"])
    sending.release_stale(now=now)
    for campaign_id in Campaign.objects.filter(status=Campaign.QUEUED).values_list(
        "pk", flat=True
    ):
        totals["sent"] += sending.process_campaign(campaign_id, now=now)["sent"]
    return totals


def send_test(newsletter: Newsletter, *, user) -> bool:
    """Send the current draft to the staff member, with their own values filled in."""
    from django.core.mail import EmailMultiAlternatives

    if not user.email or is_suppressed(user.email, marketing=False):
        return False
    draft = (
        newsletter.get_latest_revision_as_object() if newsletter.latest_revision else newsletter
    )
    subject, html, text = rendering.render_for(
        draft, user, language=draft.language, message_ref=f"test:{newsletter.pk}"
    )
    from django.conf import settings

    message = EmailMultiAlternatives(
        subject=f"[TEST] {subject}",
        body=text,
        from_email=app_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    message.tags = ["loyalty-newsletter-test"]
    message.send()
    return True
