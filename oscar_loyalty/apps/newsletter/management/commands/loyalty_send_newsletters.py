import time

from django.core.management.base import BaseCommand

from oscar_loyalty.apps.newsletter.services import run_due


class Command(BaseCommand):
    help = (
        "Start scheduled campaigns that are due, release stale claims and send queued "
        "campaigns. Run it from cron, or with --loop as a service (no broker needed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between runs.")

    def handle(self, *args, loop=False, interval=30.0, **options):
        while True:
            totals = run_due()
            self.stdout.write(f"started {totals['started']} campaigns, sent {totals['sent']}")
            if not loop:
                return
            time.sleep(interval)
