from django.core.management.base import BaseCommand

from oscar_loyalty.apps.partners.signing import prune_nonces


class Command(BaseCommand):
    help = "Delete partner API nonces older than the timestamp window (run hourly or daily)."

    def handle(self, *args, **options):
        deleted = prune_nonces()
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} partner API nonces.")
