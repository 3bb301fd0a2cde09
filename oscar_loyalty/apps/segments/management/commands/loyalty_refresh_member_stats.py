from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = (
        "Recompute every member's order figures and RFM scores "
        "(the segments.member_stats job of loyalty_daily)."
    )
    jobs = ("segments.member_stats",)
