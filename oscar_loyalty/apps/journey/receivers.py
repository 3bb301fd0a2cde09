"""Thin signal adapters: the web checkout records the channel of its orders."""

from __future__ import annotations

from oscar.apps.checkout.signals import post_checkout

from . import services
from .models import OrderChannel


def on_post_checkout(sender, order, user=None, request=None, response=None, **kwargs) -> None:
    # ``post_checkout`` is sent only by Oscar's checkout views, so every order
    # it reports came through the web; API and in-store orders are recorded by
    # their own code with ``services.record_order_channel``.
    services.record_order_channel(order, channel=OrderChannel.WEB)


def connect() -> None:
    post_checkout.connect(on_post_checkout, dispatch_uid="loyalty_journey.post_checkout")
