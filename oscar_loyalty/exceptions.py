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


class RateLimited(LoyaltyError):
    """Too many attempts from one client in the current window (``oscar_loyalty.ratelimit``)."""

    default_message = "Too many attempts. Please wait a little and try again."

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **context):
        self.retry_after = retry_after
        super().__init__(message, **context)


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


# Points --------------------------------------------------------------------


class PointsError(LoyaltyError):
    """A points change cannot be made as asked; nothing was changed."""


class InsufficientPoints(PointsError):
    default_message = "You do not have enough points for this."


class InvalidPointsAmount(PointsError):
    default_message = "Enter a whole, positive number of points."


class RedemptionNotAllowed(PointsError):
    default_message = "Points cannot be spent on this basket."


class AlreadyReversed(PointsError):
    default_message = "This has already been reversed; nothing was changed."


class DuplicatePointsEntry(PointsError):
    default_message = "These points were already recorded; nothing was changed."


# Offers and prices ---------------------------------------------------------


class OffersError(LoyaltyError):
    """A club offer, gift or draw cannot be changed as asked; nothing was changed."""


class InvalidPercentage(OffersError):
    default_message = "Enter a percentage from 0 to 100."


class GiftUnavailable(OffersError):
    default_message = "This gift cannot be issued; check the offer it is configured to use."


class DrawAlreadyRun(OffersError):
    default_message = "This draw has already been run; its winners stand."


class DrawNotReady(OffersError):
    default_message = "This draw cannot be run yet."


# Referrals -----------------------------------------------------------------


class ReferralError(LoyaltyError):
    default_message = "This referral code cannot be used."


class UnknownReferralCode(ReferralError):
    default_message = "This referral code is not valid. Check it and try again."


class ExpiredReferralCode(ReferralError):
    default_message = "This referral code has expired."


class SelfReferral(ReferralError):
    default_message = "You cannot use your own referral code."


class AlreadyReferred(ReferralError):
    default_message = "You have already used a friend's referral code."


class NotFirstOrder(ReferralError):
    default_message = "Referral codes are for a first order only."


class TooManyAttempts(ReferralError):
    default_message = "Too many referral codes tried. Please wait and try again later."
