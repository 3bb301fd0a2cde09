"""Refer-a-friend state and its invariants.

* Every member has at most one ``ReferralCode`` (random, unique, not guessable).
* A user is referred at most once: ``Referral.referee`` is one-to-one, so a
  second code, or a second first-order reward, is impossible by construction.
* A referral's rewards are written only by ``rewards.py``, with the referral
  row locked, under idempotency keys (``referral:<pk>:...``) in the points ledger.
* Fraud signals are stored as HMACs (``fingerprints.py``), never in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReferralCode(models.Model):
    """A member's share code; the link is ``/club/r/<code>/``."""

    member = models.OneToOneField(
        "loyalty_membership.Member", on_delete=models.CASCADE, related_name="referral_code"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")

    def __str__(self) -> str:
        return self.code


class ReferralVisit(models.Model):
    """One visit through a share link (the top of the funnel)."""

    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="visits")
    # HMAC of the visitor's IP address: enough to count, nothing to read.
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral link visit")
        verbose_name_plural = _("referral link visits")


class Referral(models.Model):
    """A referee linked to a referrer, and where their rewards stand.

    Lifecycle: ``linked`` (signed up or typed the code) → on the first order
    ``pending`` (the referrer's reward waits for the return window), ``review``
    (suspicious: staff decide), ``capped`` (referrer over a cap: no referrer
    reward) or ``rejected`` → ``rewarded`` once the order matures.
    ``reversed``: the first order was cancelled or refunded.
    """

    LINKED, PENDING, REVIEW, REWARDED, REVERSED, REJECTED, CAPPED = (
        "linked",
        "pending",
        "review",
        "rewarded",
        "reversed",
        "rejected",
        "capped",
    )
    STATUS_CHOICES = [
        (LINKED, _("Signed up")),
        (PENDING, _("First order placed, reward pending")),
        (REVIEW, _("In review")),
        (REWARDED, _("Rewarded")),
        (REVERSED, _("Reversed (order cancelled or refunded)")),
        (REJECTED, _("Rejected")),
        (CAPPED, _("Over the referrer's cap")),
    ]
    SOURCE_CHOICES = [
        ("link", _("Share link")),
        ("registration", _("Code at registration")),
        ("checkout", _("Code at checkout")),
    ]

    code = models.ForeignKey(ReferralCode, on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(
        "loyalty_membership.Member", on_delete=models.PROTECT, related_name="referrals_made"
    )
    # One-to-one: a customer is referred once, and rewarded for one first order.
    referee = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loyalty_referral"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=STATUS_CHOICES, default=LINKED, db_index=True
    )
    source = models.CharField(_("source"), max_length=16, choices=SOURCE_CHOICES, default="link")
    # HMACs of the referee's normalised email, shipping address and payment fingerprint.
    signals = models.JSONField(default=dict, blank=True)
    review_reasons = models.JSONField(default=list, blank=True)
    first_order = models.OneToOneField(
        "order.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    friend_voucher = models.OneToOneField(
        "voucher.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    friend_points = models.PositiveIntegerField(_("friend's points"), default=0)
    referrer_points = models.PositiveIntegerField(_("referrer's points"), default=0)
    referrer_voucher = models.OneToOneField(
        "voucher.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matures_at = models.DateTimeField(_("reward matures"), null=True, blank=True, db_index=True)
    qualified_at = models.DateTimeField(_("first order"), null=True, blank=True, db_index=True)
    rewarded_at = models.DateTimeField(_("rewarded"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.referrer} → {self.referee}"
