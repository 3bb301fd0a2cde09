"""Background task (django-tasks): refresh the precomputed report figures."""

from django_tasks import task

from . import figures


@task()
def refresh_report_figures(full: bool = False) -> dict[str, int]:
    """Incremental since the last run (or everything with ``full``)."""
    run = figures.refresh_figures(full=full)
    return {"figures": run.figures, "facts": run.facts}
