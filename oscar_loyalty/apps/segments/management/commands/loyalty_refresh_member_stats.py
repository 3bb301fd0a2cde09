from django.core.management.base import BaseCommand

from oscar_loyalty.apps.segments import services


class Command(BaseCommand):
    help = "Recompute every member's order figures and RFM scores (run daily)."

    def handle(self, *args, **options):
        rows = services.refresh_member_stats()
        self.stdout.write(f"Member statistics: {rows} members with orders.")
