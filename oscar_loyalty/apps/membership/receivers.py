"""Thin adapters from Oscar's signals to membership services.

A registration must never fail over the club, so a receiver never raises:
it logs. Order events reach the app through ``order_steps`` instead.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from oscar.apps.customer.signals import user_registered

from oscar_loyalty.exceptions import LoyaltyError
from oscar_loyalty.receiving import never_raises

from . import services

logger = logging.getLogger(__name__)


@never_raises
def on_user_registered(sender, request, user, **kwargs) -> None:
    """Join the club if the registration form's "join" box was ticked.

    ``ClubRegistrationForm`` leaves the member's choices on the user object;
    stores that keep Oscar's plain form never set it, and nothing happens.
    """
    choices = getattr(user, "loyalty_registration", None)
    if not choices or not choices.get("join"):
        return
    channels = choices.get("consent_channels", ())
    try:
        member = services.join_club(
            user,
            consent_channels=channels,
            source="registration",
            request=request,
            language=getattr(request, "LANGUAGE_CODE", "") or "",
        )
    except LoyaltyError as error:
        logger.warning("Could not join %s at registration: %s", user.pk, error)
        return
    if request is not None and hasattr(request, "_messages"):
        messages.success(request, services.welcome_text(member, channels))


def connect() -> None:
    # Orders are not read here: the app's steps for the club's order events
    # are registered by ``order_steps``.
    user_registered.connect(on_user_registered, dispatch_uid="loyalty_membership.registered")
