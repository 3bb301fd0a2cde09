"""The report registry moved to the core (``oscar_loyalty.reporting``); names kept here.

Each app registers the reports on its own data in its ``loyalty_reports``
module; this app's own (members, points, breakage, repeat purchase, cohorts,
acquisition: the reports on the precomputed figures it keeps) are in
``loyalty_reports.py`` here.
"""

from oscar_loyalty.reporting import (  # noqa: F401  (re-exported)
    LIVE,
    PRECOMPUTED,
    Chart,
    Column,
    Period,
    Report,
    all_reports,
    get_report,
    ratio,
    register,
)
