from django.core.management.base import BaseCommand

from oscar_loyalty.apps.points.verification import verify_balances


class Command(BaseCommand):
    help = "Check every points balance against the ledger; --fix rebuilds the cached totals."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rebuild what does not match.")

    def handle(self, *args, fix=False, **options):
        problems = verify_balances(fix=fix)
        for problem in problems:
            self.stdout.write(problem)
        if problems and not fix:
            self.stderr.write(f"{len(problems)} problem(s); run with --fix to rebuild.")
            raise SystemExit(1)
        self.stdout.write(
            f"{len(problems)} problem(s) fixed." if problems else "All balances match the ledger."
        )
