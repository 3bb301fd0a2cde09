from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = (
        "Daily: delete tracking data past its retention period (email-provider events, "
        "referral link visits, visits of people who never joined), in batches "
        "(the privacy.retention job of loyalty_daily)."
    )
    jobs = ("privacy.retention",)

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)

    def job_options(self, options):
        return {"privacy.retention": {"batch_size": options["batch_size"]}}
