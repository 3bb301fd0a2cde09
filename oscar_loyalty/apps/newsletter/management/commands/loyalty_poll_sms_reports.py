import time

from django.core.management.base import BaseCommand

from oscar_loyalty.apps.newsletter.channels.sms019_reports import poll_reports


class Command(BaseCommand):
    help = (
        "Ask 019 for the delivery reports of the SMS sent through it in the last week and "
        "apply them (delivered, bounced, refused by 019's removal list). Run it from cron "
        "every 15 minutes to an hour, or with --loop; a rerun changes nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument(
            "--interval", type=float, default=900.0, help="Seconds between runs (--loop)."
        )

    def handle(self, *args, loop=False, interval=900.0, **options):
        while True:
            totals = poll_reports()
            line = (
                f"019: asked {totals['asked']}, delivered {totals['delivered']}, "
                f"bounced {totals['bounced']}, refused {totals['refused']}"
            )
            if totals["error"]:
                line += f"; stopped: {totals['error']}"
            self.stdout.write(line)
            if not loop:
                return
            time.sleep(interval)
