"""Every signal receiver of the add-on either never raises or says why it may.

The receivers are found, not listed: every ``on_*`` function of every
``receivers`` module of an installed sub-app, and of the order-event boundary
(``oscar_loyalty.order_events.receivers``, the only listener to Oscar's order
signals). Each is called with hostile arguments (objects
whose every attribute raises, strings where numbers belong) and must not
raise into its sender.
"""

import importlib
import inspect
from decimal import Decimal

import pytest
from django.apps import apps

from oscar_loyalty.order_events import receivers as order_receivers


class Hostile:
    """Whatever a buggy gateway or a half-saved object might hand a receiver."""

    pk = id = "not-a-number"
    amount = "ten"
    quantity = "∞"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise RuntimeError(f"hostile object has no {name}")

    def __str__(self):
        return "\u202ehostile\x00"


def discovered_receivers():
    modules = [order_receivers]
    for config in apps.get_app_configs():
        if not config.name.startswith("oscar_loyalty.apps."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.receivers"))
        except ModuleNotFoundError:
            continue
    found = []
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("on_") and function.__module__ == module.__name__:
                found.append((module.__name__, name, function))
    return found


RECEIVERS = discovered_receivers()


def test_receivers_are_found_in_every_app_that_has_them():
    modules = {module for module, _name, _function in RECEIVERS}
    assert {
        "oscar_loyalty.order_events.receivers",
        "oscar_loyalty.apps.points.receivers",
        "oscar_loyalty.apps.membership.receivers",
        "oscar_loyalty.apps.referrals.receivers",
        "oscar_loyalty.apps.offers.receivers",
    } <= modules
    assert len(RECEIVERS) >= 15


def test_oscars_order_signals_reach_the_add_on_only_through_the_boundary():
    from django.db.models.signals import post_save
    from oscar.apps.order.signals import (
        order_line_status_changed,
        order_placed,
        order_status_changed,
    )
    from oscar.core.loading import get_model

    def loyalty_receivers(signal, sender=None):
        found = signal._live_receivers(sender)
        found = found[0] if isinstance(found, tuple) else found  # sync, async
        return {
            f"{r.__module__}.{r.__name__}"
            for r in found
            if (getattr(r, "__module__", "") or "").startswith("oscar_loyalty")
        }

    boundary = "oscar_loyalty.order_events.receivers"
    assert loyalty_receivers(order_placed) == {f"{boundary}.on_order_placed"}
    assert loyalty_receivers(order_status_changed) == {f"{boundary}.on_order_status_changed"}
    assert loyalty_receivers(order_line_status_changed) == {f"{boundary}.on_line_status_changed"}
    assert loyalty_receivers(post_save, get_model("order", "PaymentEvent")) == {
        f"{boundary}.on_payment_event_saved"
    }
    assert loyalty_receivers(post_save, get_model("order", "PaymentEventQuantity")) == {
        f"{boundary}.on_payment_event_quantity_saved"
    }


@pytest.mark.parametrize(
    "function", [f for _m, _n, f in RECEIVERS], ids=[f"{m}.{n}" for m, n, _f in RECEIVERS]
)
def test_every_receiver_never_raises_or_says_why_it_may(function):
    assert getattr(function, "never_raises", False) or getattr(function, "may_raise", ""), (
        f"{function.__qualname__} must wear oscar_loyalty.receiving.never_raises "
        "or say why it may raise"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "function",
    [f for _m, _n, f in RECEIVERS if getattr(f, "never_raises", False)],
    ids=[f"{m}.{n}" for m, n, f in RECEIVERS if getattr(f, "never_raises", False)],
)
@pytest.mark.parametrize(
    "value", [Hostile(), "ten", Decimal("NaN"), None], ids=["hostile", "text", "nan", "none"]
)
def test_a_receiver_given_hostile_arguments_returns_without_raising(function, value):
    parameters = inspect.signature(function.__wrapped__).parameters
    kwargs = {
        name: value
        for name, parameter in parameters.items()
        if name != "sender" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }
    if "created" in kwargs:
        kwargs["created"] = True
    function(sender=None, **kwargs)
