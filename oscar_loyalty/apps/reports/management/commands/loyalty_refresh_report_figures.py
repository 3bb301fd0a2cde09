from datetime import date

from django.core.management.base import BaseCommand, CommandError

from oscar_loyalty.apps.reports import figures


class Command(BaseCommand):
    help = (
        "Recompute the precomputed report figures (daily points flows, active members, "
        "cohorts, member facts). Incremental from the last run unless --since or --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First local day to recompute (YYYY-MM-DD).")
        parser.add_argument("--full", action="store_true", help="Recompute everything.")

    def handle(self, *args, since=None, full=False, **options):
        day = None
        if since:
            try:
                day = date.fromisoformat(since)
            except ValueError as error:
                raise CommandError(f"--since: {error}") from error
        run = figures.refresh_figures(since=day, full=full)
        took = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"{run.figures} figure(s) and {run.facts} member fact(s) written "
            f"(since {run.since or 'the start'}) in {took:.1f}s."
        )
