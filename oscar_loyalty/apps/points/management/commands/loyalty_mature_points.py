from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = (
        "Daily: make pending points spendable once the return window has passed "
        "(the points.mature job of loyalty_daily)."
    )
    jobs = ("points.mature",)

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)

    def job_options(self, options):
        return {"points.mature": {"batch_size": options["batch_size"]}}
