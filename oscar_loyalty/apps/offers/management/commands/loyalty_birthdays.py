"""Daily: issue the birthday gifts that are due (greeting email to members who consented)."""

from __future__ import annotations

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oscar_loyalty.apps.offers.gifts import issue_birthday_gifts
from oscar_loyalty.exceptions import LoyaltyError


class Command(BaseCommand):
    help = "Issue today's birthday vouchers. Safe to run more than once a day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Run for this day (YYYY-MM-DD, the store's time zone), e.g. a day cron missed.",
        )

    def handle(self, *args, **options):
        now = None
        if options["date"]:
            try:
                day = datetime.strptime(options["date"], "%Y-%m-%d").date()
            except ValueError:
                raise CommandError("--date must look like 2026-02-28.") from None
            now = timezone.make_aware(datetime.combine(day, time(12)))
        try:
            issued = issue_birthday_gifts(now=now)
        except LoyaltyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Issued {issued} birthday gift(s).")
