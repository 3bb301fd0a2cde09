"""The add-on's domain errors.

Services raise these; views turn them into messages. Each carries a message
that is safe to show to the shopper or staff member who caused it, translated
into the language active when the error is raised (``default_message`` is
lazy; a service that passes its own message passes a translated one).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class LoyaltyError(Exception):
    """Base class: every error the add-on raises on purpose."""

    default_message = _("The customer club could not do this.")

    def __init__(self, message: str | None = None, **context):
        self.message = str(message or self.default_message)
        self.context = context
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class RateLimited(LoyaltyError):
    """Too many attempts from one client in the current window (``oscar_loyalty.ratelimit``)."""

    default_message = _("Too many attempts. Please wait a little and try again.")

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **context):
        self.retry_after = retry_after
        super().__init__(message, **context)


# Membership ---------------------------------------------------------------


class MembershipError(LoyaltyError):
    """Something about club membership cannot be done."""


class AlreadyMember(MembershipError):
    default_message = _("You are already a member of the club.")


class NotAMember(MembershipError):
    default_message = _("You are not a member of the club.")


class MemberNotFound(MembershipError):
    default_message = _("No member has this number.")


class PlanUnavailable(MembershipError):
    default_message = _("This membership plan is not available.")


class InvalidProfile(MembershipError):
    default_message = _("The profile is not valid.")


# Consent -------------------------------------------------------------------


class ConsentError(LoyaltyError):
    """A consent record cannot be written as asked."""


class UnknownConsentPurpose(ConsentError):
    default_message = _("Unknown consent purpose or channel.")


# Points --------------------------------------------------------------------


class PointsError(LoyaltyError):
    """A points change cannot be made as asked; nothing was changed."""


class InsufficientPoints(PointsError):
    default_message = _("You do not have enough points for this.")


class InvalidPointsAmount(PointsError):
    default_message = _("Enter a whole, positive number of points.")


class RedemptionNotAllowed(PointsError):
    default_message = _("Points cannot be spent on this basket.")


class AlreadyReversed(PointsError):
    default_message = _("This has already been reversed; nothing was changed.")


class DuplicatePointsEntry(PointsError):
    default_message = _("These points were already recorded; nothing was changed.")


# Offers and prices ---------------------------------------------------------


class OffersError(LoyaltyError):
    """A club offer, gift or draw cannot be changed as asked; nothing was changed."""


class InvalidPercentage(OffersError):
    default_message = _("Enter a percentage from 0 to 100.")


class GiftUnavailable(OffersError):
    default_message = _("This gift cannot be issued; check the offer it is configured to use.")


class DrawAlreadyRun(OffersError):
    default_message = _("This draw has already been run; its winners stand.")


class DrawNotReady(OffersError):
    default_message = _("This draw cannot be run yet.")


# Referrals -----------------------------------------------------------------


class ReferralError(LoyaltyError):
    default_message = _("This referral code cannot be used.")


class UnknownReferralCode(ReferralError):
    default_message = _("This referral code is not valid. Check it and try again.")


class ExpiredReferralCode(ReferralError):
    default_message = _("This referral code has expired.")


class SelfReferral(ReferralError):
    default_message = _("You cannot use your own referral code.")


class AlreadyReferred(ReferralError):
    default_message = _("You have already used a friend's referral code.")


class NotFirstOrder(ReferralError):
    default_message = _("Referral codes are for a first order only.")


class TooManyAttempts(ReferralError):
    default_message = _("Too many referral codes tried. Please wait and try again later.")
