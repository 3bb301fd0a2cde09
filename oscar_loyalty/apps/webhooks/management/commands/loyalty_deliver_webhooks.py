"""Send every due webhook delivery now (cron every minute, or the worker's scheduler)."""

from django.core.management.base import BaseCommand

from oscar_loyalty.apps.webhooks import delivery


class Command(BaseCommand):
    help = "Send every due webhook delivery: retries, lost kicks, deliveries of dead workers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue one task per endpoint instead of sending here.",
        )

    def handle(self, *args, enqueue=False, **options):
        result = delivery.deliver_due(inline=not enqueue)
        self.stdout.write(
            f"Released {result['released']} stale claims; {result['endpoints']} endpoints due."
        )
