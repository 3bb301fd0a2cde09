"""The store with one optional app left out: settings variants and their smoke journey.

Each ``settings_without_<app>.py`` is the test settings minus that app (and the
apps that need it). ``make variants`` runs ``test_smoke_journey.py`` once per
variant, each in its own interpreter and its own in-memory database; the whole
suite runs it once more with every app installed.
"""
