"""Background tasks (django-tasks). Arguments are ids: they must be JSON-serialisable."""

from __future__ import annotations

from django_tasks import task

from . import delivery


@task()
def deliver_endpoint(endpoint_id: int) -> dict:
    """Send one endpoint's due deliveries until none is left; several may run at once."""
    return delivery.deliver_endpoint(endpoint_id)


@task()
def deliver_due() -> dict:
    """The sweep: every active endpoint's due deliveries (retries, lost kicks, dead workers).

    Run it every minute (``manage.py loyalty_deliver_webhooks``, or a scheduler).
    """
    return delivery.deliver_due()
