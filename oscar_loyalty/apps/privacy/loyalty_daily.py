"""The privacy app's daily job (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import retention


@daily.register("privacy.retention", order=150)
def apply_retention(*, batch_size: int | None = None) -> dict[str, int]:
    """Delete tracking data past its retention period, in batches."""
    return retention.apply_retention(batch_size=batch_size)
