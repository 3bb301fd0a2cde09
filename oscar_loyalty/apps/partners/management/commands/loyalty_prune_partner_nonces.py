from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = (
        "Delete partner API nonces older than the timestamp window, hourly or daily "
        "(the partners.prune_nonces job of loyalty_daily)."
    )
    jobs = ("partners.prune_nonces",)
