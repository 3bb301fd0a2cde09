from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = (
        "Daily: redo the order work a crash or a lost task skipped (debits, earnings, "
        "reversals of the last --catch-up-days days), expire points past their date (in "
        "batches), release stale basket reservations and email members whose points "
        "expire soon (those jobs of loyalty_daily)."
    )
    # In this order (the registry's): a lost order task's debit lands before expiry.
    jobs = (
        "points.catch_up",
        "points.expire",
        "points.release_reservations",
        "points.expiry_reminders",
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--no-reminders", action="store_true")
        parser.add_argument("--catch-up-days", type=int, default=14)

    def selected(self, options):
        if options["no_reminders"]:
            return tuple(name for name in self.jobs if name != "points.expiry_reminders")
        return self.jobs

    def job_options(self, options):
        return {
            "points.catch_up": {"days": options["catch_up_days"]},
            "points.expire": {"batch_size": options["batch_size"]},
        }
