from oscar_loyalty.management.commands.loyalty_daily import AliasCommand


class Command(AliasCommand):
    help = "Daily: award the birthday bonus (the points.birthday_bonuses job of loyalty_daily)."
    jobs = ("points.birthday_bonuses",)
