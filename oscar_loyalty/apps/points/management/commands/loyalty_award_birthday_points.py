from django.core.management.base import BaseCommand

from oscar_loyalty.apps.points.bonuses import award_birthday_bonuses


class Command(BaseCommand):
    help = "Daily: award the birthday bonus to members whose birthday is today."

    def handle(self, *args, **options):
        self.stdout.write(f"{award_birthday_bonuses()} birthday bonus(es) awarded.")
