"""The add-on's domain errors.

Services raise these; views turn them into messages. Each carries a message
that is safe to show to the shopper or staff member who caused it.
"""

from __future__ import annotations


class LoyaltyError(Exception):
    """Base class: every error the add-on raises on purpose."""

    default_message = "The customer club could not do this."

    def __init__(self, message: str | None = None, **context):
        self.message = str(message or self.default_message)
        self.context = context
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


# Membership ---------------------------------------------------------------


class MembershipError(LoyaltyError):
    """Something about club membership cannot be done."""


class AlreadyMember(MembershipError):
    default_message = "You are already a member of the club."


class NotAMember(MembershipError):
    default_message = "You are not a member of the club."


class MemberNotFound(MembershipError):
    default_message = "No member has this number."


class PlanUnavailable(MembershipError):
    default_message = "This membership plan is not available."


class InvalidProfile(MembershipError):
    default_message = "The profile is not valid."


# Consent -------------------------------------------------------------------


class ConsentError(LoyaltyError):
    """A consent record cannot be written as asked."""


class UnknownConsentPurpose(ConsentError):
    default_message = "Unknown consent purpose or channel."
