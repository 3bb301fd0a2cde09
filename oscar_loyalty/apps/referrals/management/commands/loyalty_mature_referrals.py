from django.core.management.base import BaseCommand

from oscar_loyalty.apps.referrals.rewards import mature_due_referrals


class Command(BaseCommand):
    help = "Reward referrals whose friend's first order is past the return window."

    def handle(self, *args, **options):
        matured = mature_due_referrals()
        self.stdout.write(f"{matured} referral rewards matured.")
