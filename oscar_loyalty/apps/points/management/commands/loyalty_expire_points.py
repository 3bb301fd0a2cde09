from django.core.management.base import BaseCommand

from oscar_loyalty.apps.points import catchup, expiry, redemption


class Command(BaseCommand):
    help = (
        "Daily: redo the order work a crash or a lost task skipped (debits, earnings, "
        "reversals of the last --catch-up-days days), expire points "
        "past their date (in batches), release stale basket reservations and email "
        "members whose points expire soon."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--no-reminders", action="store_true")
        parser.add_argument("--catch-up-days", type=int, default=14)

    def handle(self, *args, batch_size=None, no_reminders=False, catch_up_days=14, **options):
        # First: a lost order task's debit must land before expiry looks at the lots.
        caught_up = catchup.catch_up(days=catch_up_days)
        settled = caught_up.captures_settled
        expired = expiry.expire_points(batch_size=batch_size)
        released = redemption.release_expired_reservations()
        reminders = 0 if no_reminders else expiry.send_expiry_reminders()
        self.stdout.write(
            f"{settled} order debit(s) settled, {caught_up.orders_redone} order task(s) "
            f"redone, {caught_up.reversals} reversal(s) redone, {expired} point(s) expired, "
            f"{released} reservation(s) released, {reminders} reminder(s) sent."
        )
