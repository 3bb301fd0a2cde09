"""Every state change of the journey app."""

from __future__ import annotations

from .models import OrderChannel


def record_order_channel(order, *, channel: str = OrderChannel.WEB) -> OrderChannel:
    """Record the channel ``order`` came through; a second call keeps the first answer."""
    if channel not in dict(OrderChannel.CHANNEL_CHOICES):
        raise ValueError(f"Unknown order channel {channel!r}.")
    record, _created = OrderChannel.objects.get_or_create(
        order=order, defaults={"channel": channel}
    )
    return record
