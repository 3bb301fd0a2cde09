"""Fill the database with generated members and their history (sandbox/demo/generator)."""

from django.core.management.base import BaseCommand, CommandError

from sandbox.demo.generator import generate


class Command(BaseCommand):
    help = (
        "Generate a realistic data set (members, orders, points, referrals, consents, "
        "newsletter results) for demos and performance work. Deterministic with --seed. "
        "A development tool of the sandbox, not part of the installed add-on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True)
        parser.add_argument("--orders-per-member", type=float, default=3.0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument(
            "--years", type=float, default=3.0, help="How many years of history (default 3)."
        )
        parser.add_argument(
            "--refresh", action="store_true", help="Refresh the report figures afterwards."
        )

    def handle(
        self, *args, members, orders_per_member, seed, batch, years=3.0, refresh=False, **options
    ):
        if members < 1 or batch < 1 or orders_per_member < 0 or years <= 0:
            raise CommandError("--members, --batch and --years must be positive.")
        stats = generate(
            members=members,
            orders_per_member=orders_per_member,
            seed=seed,
            batch=batch,
            years=years,
            progress=self.progress,
        )
        self.stdout.write(
            f"Generated {stats.members} members, {stats.orders} orders ({stats.lines} lines), "
            f"{stats.entries} points entries, {stats.referrals} referrals and "
            f"{stats.messages} newsletter messages in {stats.seconds:.1f}s."
        )
        if refresh:
            from oscar_loyalty.apps.reports.figures import refresh_figures

            run = refresh_figures(full=True)
            self.stdout.write(
                f"Report figures refreshed: {run.figures} figures, {run.facts} facts."
            )

    def progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
