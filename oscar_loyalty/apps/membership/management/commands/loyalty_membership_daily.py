from django.core.management.base import BaseCommand

from oscar_loyalty.apps.membership import services


class Command(BaseCommand):
    help = (
        "Daily membership upkeep: activate memberships a failed receiver missed, expire "
        "ended memberships, send renewal reminders, recompute every member's tier."
    )

    def handle(self, *args, **options):
        activated = services.reconcile_recent_orders()
        expired = services.expire_memberships()
        reminded = services.send_renewal_reminders()
        changed = services.recompute_all_tiers()
        self.stdout.write(
            f"activated {activated}, expired {expired}, reminded {reminded}, "
            f"tier changes {changed}"
        )
