from django.core.management.base import BaseCommand

from oscar_loyalty.apps.points import expiry, redemption


class Command(BaseCommand):
    help = (
        "Daily: write the ledger debit of any order whose task was lost, expire points "
        "past their date (in batches), release stale basket reservations and email "
        "members whose points expire soon."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--no-reminders", action="store_true")

    def handle(self, *args, batch_size=None, no_reminders=False, **options):
        # First: a lost order task's debit must land before expiry looks at the lots.
        settled = redemption.settle_captured_redemptions()
        expired = expiry.expire_points(batch_size=batch_size)
        released = redemption.release_expired_reservations()
        reminders = 0 if no_reminders else expiry.send_expiry_reminders()
        self.stdout.write(
            f"{settled} order debit(s) settled, {expired} point(s) expired, "
            f"{released} reservation(s) released, {reminders} reminder(s) sent."
        )
