"""The reports app's daily job (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import figures


@daily.register("reports.figures", order=140)
def refresh_figures(*, full: bool = False) -> dict[str, int]:
    """Refresh the precomputed report figures, incrementally since the last run."""
    run = figures.refresh_figures(full=full)
    return {"figures": run.figures, "facts": run.facts}
