from django.core.management.base import BaseCommand

from oscar_loyalty.apps.privacy import retention


class Command(BaseCommand):
    help = (
        "Daily: delete tracking data past its retention period (email-provider events, "
        "referral link visits, visits of people who never joined), in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, batch_size=None, **options):
        result = retention.apply_retention(batch_size=batch_size)
        if not result:
            self.stdout.write("No retention rule is active.")
        for name, deleted in result.items():
            self.stdout.write(f"{name}: {deleted} row(s) deleted.")
