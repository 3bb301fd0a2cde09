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


class ConsentWordingChanged(ConsentError):
    """An echoed consent wording is not the wording in force (changed since, or altered)."""

    default_message = _(
        "The consent wording has changed since it was shown. Show the new wording and ask again."
    )


class ConsentSubjectGone(ConsentError):
    """The account was erased: no consent can be recorded about it any more."""

    default_message = _("This account no longer exists.")


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


# Rewards catalogue ---------------------------------------------------------


class RewardError(LoyaltyError):
    """A reward cannot be redeemed or changed as asked; nothing was changed."""

    default_message = _("This reward cannot be redeemed.")


class RewardUnavailable(RewardError):
    default_message = _("This reward is not available.")


class RewardOutOfStock(RewardError):
    default_message = _("Sorry, this reward has just run out. Your points were not used.")


class RewardLimitReached(RewardError):
    default_message = _("You have redeemed this reward the most times allowed.")


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


# Partners (coalition) and the in-store till ---------------------------------


class PartnerError(LoyaltyError):
    """A partner API request cannot be done as asked; nothing was changed."""

    default_message = _("The partner request could not be done.")


class PartnerAuthenticationFailed(PartnerError):
    default_message = _("The request is not signed correctly.")


class StalePartnerRequest(PartnerAuthenticationFailed):
    default_message = _("The request timestamp is too far from the server's time.")


class ReplayedPartnerRequest(PartnerError):
    default_message = _("This request was already received; sign a new one to retry.")


class PartnerInactive(PartnerError):
    default_message = _("This partner is not active.")


class InvalidPartnerRequest(PartnerError):
    default_message = _("The request is not valid.")


class IdempotencyKeyReused(PartnerError):
    default_message = _("This idempotency key was already used for a different request.")


class PartnerDailyCapReached(PartnerError):
    default_message = _("This would go over a daily limit.")


class PartnerTransactionNotFound(PartnerError):
    default_message = _("No such transaction.")


class NothingToEarn(PartnerError):
    default_message = _("This purchase earns no points.")


class InStorePurchaseError(LoyaltyError):
    default_message = _("This in-store purchase cannot be recorded.")


# Segments ------------------------------------------------------------------


class SegmentError(LoyaltyError):
    default_message = _("This segment cannot be used.")


class InvalidSegmentRules(SegmentError):
    """The rules of a segment are malformed; ``errors`` lists each problem with its place."""

    default_message = _("The segment's rules are not valid.")

    def __init__(self, message: str | None = None, *, errors: list[str] | None = None, **context):
        self.errors = list(errors or [])
        super().__init__(message or (self.errors[0] if len(self.errors) == 1 else None), **context)


# Privacy -------------------------------------------------------------------


class PrivacyError(LoyaltyError):
    """An export or erasure cannot be done as asked; nothing was changed."""


class AlreadyErased(PrivacyError):
    default_message = _("This account has already been erased.")


class OrdersStillOpen(PrivacyError):
    default_message = _(
        "Some orders are still being processed and need the delivery details. "
        "The account can be erased once they are complete."
    )


class StaffAccountErasure(PrivacyError):
    default_message = _(
        "Staff accounts are not erased here: remove the staff rights first, then erase."
    )


# Newsletter -----------------------------------------------------------------


class CampaignError(LoyaltyError):
    default_message = _("This campaign cannot be sent.")


class CampaignAlreadySent(CampaignError):
    default_message = _(
        "This campaign has already been sent or is sending; nothing was sent again."
    )


class EmptyAudience(CampaignError):
    default_message = _(
        "Nobody in this audience has confirmed consent to advertising by email; nothing was sent."
    )


class NewsletterNotPublished(CampaignError):
    default_message = _("Publish the newsletter before sending it.")


# Actions --------------------------------------------------------------------


class ActionError(LoyaltyError):
    default_message = _("This action cannot be recorded.")


class UnknownAction(ActionError):
    """No custom action rule has this code (codes are exact ASCII: see ``actions.models``)."""

    default_message = _("No action has this code.")


class ActionKeyReused(ActionError):
    """An idempotency key already recorded another member's or another object's action."""

    default_message = _("This idempotency key was used for another action.")
