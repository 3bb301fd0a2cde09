from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = (
        "Daily membership upkeep (the membership.* jobs of loyalty_daily): activate "
        "memberships a failed receiver missed, expire ended memberships, send renewal "
        "reminders, recompute every member's tier."
    )
    jobs = ("membership",)
