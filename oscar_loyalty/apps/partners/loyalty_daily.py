"""The partners app's daily job (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import signing


@daily.register("partners.prune_nonces", order=160)
def prune_nonces() -> int:
    """Forget partner-API request nonces older than the signature window."""
    return signing.prune_nonces()
