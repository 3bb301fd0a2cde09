from django.core.management.base import BaseCommand

from oscar_loyalty.apps.points.earning import mature_due_earnings


class Command(BaseCommand):
    help = "Daily: make pending points spendable once the return window has passed."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, batch_size=None, **options):
        count = mature_due_earnings(batch_size=batch_size)
        self.stdout.write(f"{count} order(s) matured.")
