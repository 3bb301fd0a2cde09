"""The club's entry for ``OSCAR_DASHBOARD_NAVIGATION``.

    from oscar.defaults import OSCAR_DASHBOARD_NAVIGATION
    from oscar_loyalty.apps.dashboard.navigation import NAVIGATION as LOYALTY_NAVIGATION
    OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION + [LOYALTY_NAVIGATION]

Settings are read before the apps are loaded, so the children are a lazy
sequence: each time Oscar builds the menu they are the entries of the
installed apps (``sections.menu_entries``), and a left-out app's page is
never linked (Oscar would fail to reverse it). Labels are lazy so the menu
follows the staff member's language.
"""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _


class InstalledEntries(Sequence):
    """The menu entries of the installed apps, computed when read (not at settings time)."""

    def _entries(self) -> list[dict]:
        from .sections import menu_entries

        return menu_entries()

    def __getitem__(self, index):
        return self._entries()[index]

    def __len__(self) -> int:
        return len(self._entries())

    def __repr__(self) -> str:
        return "<the installed apps' club menu entries>"


NAVIGATION = {
    "label": _("Customer club"),
    "icon": "fas fa-id-card",
    "children": InstalledEntries(),
}
