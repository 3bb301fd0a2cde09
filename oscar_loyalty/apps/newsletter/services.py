"""What staff do with campaigns: send now, schedule, send a test to themselves."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.services import is_suppressed
from oscar_loyalty.exceptions import CampaignAlreadySent, CampaignError

from . import fanout, rendering, sending
from .models import Campaign, Newsletter


def _in_this_database(backend) -> bool:
    try:
        from django_tasks_db import DatabaseBackend
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return False
    return isinstance(backend, DatabaseBackend)


def _enqueue(task, campaign_id: int, *, run_after: datetime | None = None) -> None:
    """Queue ``task`` for a campaign whose state the caller's transaction is writing.

    With the database backend the task row is written in that transaction, so
    the campaign and its task commit together: a process killed between two
    commits cannot leave a queued campaign that no task will ever send. Other
    backends (RQ, immediate) must not see the task before the commit.
    """
    backend = task.get_backend()
    if run_after is not None and backend.supports_defer:
        task = task.using(run_after=run_after)
    if _in_this_database(backend):
        task.enqueue(campaign_id)
    else:
        transaction.on_commit(lambda: task.enqueue(campaign_id))


def keep_watch(campaign_id: int, *, backend: str | None = None, now: datetime | None = None):
    """Queue a follow-up send ``NEWSLETTER_WATCH_SECONDS`` from now while a campaign is unfinished.

    Called when a worker claims one of the campaign's tasks, in the same
    transaction as the claim (``receivers.on_task_saved``): if that worker is
    killed, the follow-up is already queued, and any worker started later
    resumes the campaign (expired leases included) without cron. Each claim
    queues one follow-up, so the chain ends with the campaign. Returns the
    follow-up's result, or ``None``.
    """
    from . import tasks

    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id).values("status", "scheduled_at").first()
    if campaign is None:
        return None
    due = campaign["status"] == Campaign.SCHEDULED and (campaign["scheduled_at"] or now) <= now
    if campaign["status"] != Campaign.QUEUED and not due:
        return None
    follow_up = tasks.process_campaign.using(
        run_after=now + timedelta(seconds=app_settings.NEWSLETTER_WATCH_SECONDS),
        **({"backend": backend} if backend else {}),
    )
    return follow_up.enqueue(campaign_id)


def resume_campaign(campaign_id: int, *, now: datetime | None = None) -> dict:
    """What a campaign's task does: start it if scheduled and due, then send what is due."""
    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id).values("status").first()
    if campaign is None:
        return {"started": False, "sent": 0}
    if campaign["status"] == Campaign.SCHEDULED:
        return start_scheduled(campaign_id, now=now)
    return sending.process_campaign(campaign_id)


def send_campaign(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Queue a campaign for sending now. Returns the number of recipients.

    The rows are created here (so the admin sees progress at once); the
    sending itself runs in the task worker, after the transaction commits.
    """
    from . import tasks

    with transaction.atomic():
        count = fanout.fan_out(campaign, now=now)
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
        fanout.fan_out(campaign, now=now)
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
    # Member notices by SMS/WhatsApp: those a dead worker left, and any due after quiet hours.
    from .notices import process_notices

    totals["sent"] += process_notices(now=now)["sent"]
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
