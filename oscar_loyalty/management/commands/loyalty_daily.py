"""``manage.py loyalty_daily``: every daily job of the installed apps, in order."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from oscar_loyalty import daily


class Command(BaseCommand):
    help = (
        "Run the club's daily jobs in their order (each on its own: a failed job is "
        "logged and the others still run; the exit status is 1 if any failed)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            action="append",
            metavar="NAME",
            help="Run only this job, or every job of an app with its prefix (e.g. points); "
            "repeatable.",
        )
        parser.add_argument("--list", action="store_true", help="List the jobs, in order.")

    def handle(self, *args, only=None, list=False, **options):
        if list:
            for job in daily.jobs():
                self.stdout.write(f"{job.order:>5}  {job.name:<32} {job.description}")
            return
        try:
            outcomes = daily.run(only)
        except daily.UnknownJob as error:
            raise CommandError(
                f"No daily job {error.args[0]!r}; see loyalty_daily --list."
            ) from None
        report(self, outcomes, verbosity=options["verbosity"])


def report(command: BaseCommand, outcomes: list[daily.Outcome], *, verbosity: int = 1) -> None:
    """Write one line per job; exit 1 (after all ran) if any failed."""
    for outcome in outcomes:
        if outcome.ok:
            if verbosity:
                command.stdout.write(f"{outcome.name}: {outcome.result}")
        else:
            command.stderr.write(f"{outcome.name}: FAILED: {outcome.error!r}")
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    if failed:
        raise CommandError(f"{len(failed)} daily job(s) failed: {', '.join(failed)}.")


class AliasCommand(BaseCommand):
    """An older per-app daily command, kept for existing crontabs: runs its jobs by name.

    Subclasses set ``jobs`` and may map their options to the jobs' keyword
    arguments in ``job_options``. Schedule ``loyalty_daily`` instead.
    """

    jobs: tuple[str, ...] = ()

    def job_options(self, options) -> dict[str, dict]:
        return {}

    def selected(self, options) -> tuple[str, ...]:
        return self.jobs

    def handle(self, *args, **options):
        outcomes = daily.run(self.selected(options), options=self.job_options(options))
        report(self, outcomes, verbosity=options["verbosity"])
