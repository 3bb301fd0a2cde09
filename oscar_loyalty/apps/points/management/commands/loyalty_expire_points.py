from django.core.management.base import BaseCommand

from oscar_loyalty.apps.points import expiry, redemption


class Command(BaseCommand):
    help = (
        "Daily: expire points past their date (in batches), release stale basket "
        "reservations and email members whose points expire soon."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--no-reminders", action="store_true")

    def handle(self, *args, batch_size=None, no_reminders=False, **options):
        expired = expiry.expire_points(batch_size=batch_size)
        released = redemption.release_expired_reservations()
        reminders = 0 if no_reminders else expiry.send_expiry_reminders()
        self.stdout.write(
            f"{expired} point(s) expired, {released} reservation(s) released, "
            f"{reminders} reminder(s) sent."
        )
