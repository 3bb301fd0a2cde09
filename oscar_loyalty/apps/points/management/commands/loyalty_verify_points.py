from django.core.management.base import BaseCommand

from oscar_loyalty.apps.points.verification import verify_balances, verify_redemptions


class Command(BaseCommand):
    help = (
        "Check every points balance against the ledger, and every points discount on an "
        "order against its settled debit; --fix rebuilds the cached totals."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rebuild what does not match.")

    def handle(self, *args, fix=False, **options):
        problems = verify_balances(fix=fix)
        # Money given away cannot be rebuilt from the ledger: always reported, never "fixed".
        money = verify_redemptions()
        for problem in problems + money:
            self.stdout.write(problem)
        if money or (problems and not fix):
            self.stderr.write(
                f"{len(problems)} balance problem(s), {len(money)} money problem(s)"
                + ("; run with --fix to rebuild the balances." if problems and not fix else ".")
            )
            raise SystemExit(1)
        self.stdout.write(
            f"{len(problems)} problem(s) fixed."
            if problems
            else "All balances match the ledger; every points discount is backed by its debit."
        )
