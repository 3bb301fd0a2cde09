from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = (
        "Reward referrals whose friend's first order is past the return window "
        "(the referrals.mature job of loyalty_daily)."
    )
    jobs = ("referrals.mature",)
