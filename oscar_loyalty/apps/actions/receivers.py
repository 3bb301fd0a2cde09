"""Thin adapters from the watched changes to ``kinds`` and ``services``.

A review, a consent or a profile is saved by code that must never fail over
points, so every receiver here logs instead of raising (``never_raises``), and
does its work after the change committed (``transaction.on_commit``): the
sync then reads the committed truth. A crash between that commit and the hook
is repaired by the daily catch-up (``loyalty_daily``).
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from oscar.core.loading import get_model

from oscar_loyalty import signals as club_signals
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.receiving import never_raises

from . import kinds, services
from .signals import action_performed

logger = logging.getLogger(__name__)


def _after_commit(work, what: str) -> None:
    def run():
        try:
            work()
        except Exception:  # noqa: BLE001 - the change stands; the daily catch-up retries.
            logger.exception("Points for an action failed (%s)", what)

    transaction.on_commit(run)


@never_raises
def on_review_changed(sender, instance, raw=False, **kwargs) -> None:
    """Saved (approved, unapproved, edited) or deleted: the review rules follow its status."""
    if raw or instance.user_id is None or instance.product_id is None:
        return
    user_id, product_id = instance.user_id, instance.product_id
    _after_commit(
        lambda: kinds.sync_review(user_id=user_id, product_id=product_id),
        f"review of product {product_id} by user {user_id}",
    )


@never_raises
def on_consent_changed(sender, record, **kwargs) -> None:
    """Sent after the consent committed: a confirmed newsletter grant earns its rules."""
    from oscar_loyalty.apps.consent.wording import MARKETING

    if record.purpose != MARKETING or record.channel != "email" or record.user_id is None:
        return
    member = Member.objects.filter(user_id=record.user_id).select_related("user").first()
    if member is not None:
        kinds.sync_newsletter(member)


@never_raises
def on_member_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    # The member's own fields first: an incomplete profile costs no query.
    own = [n for n in kinds.app_settings.ACTIONS_PROFILE_FIELDS if not n.startswith("user.")]
    if not all(getattr(instance, name, None) for name in own):
        return
    member = instance
    _after_commit(lambda: kinds.sync_profile(member), f"profile of member {member.pk}")


@never_raises
def on_user_saved(
    sender, instance, created=False, raw=False, update_fields=None, **kwargs
) -> None:
    """The name may complete the profile; a login (``last_login`` only) cannot."""
    if raw or created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    if not any(name.startswith("user.") for name in kinds.app_settings.ACTIONS_PROFILE_FIELDS):
        return
    user_id = instance.pk

    def work():
        member = Member.objects.filter(user_id=user_id).first()
        if member is not None:
            kinds.sync_profile(member)

    _after_commit(work, f"profile of user {user_id}")


@never_raises
def on_action_performed(sender, user, code, object_key=None, idempotency_key=None, **kwargs):
    """The store's ``action_performed`` signal: ``services.record_action``, refusals logged."""
    services.record_action(
        user=user, code=code, object_key=object_key, idempotency_key=idempotency_key
    )


def connect() -> None:
    ProductReview = get_model("reviews", "ProductReview")
    for signal in (post_save, post_delete):
        signal.connect(
            on_review_changed,
            sender=ProductReview,
            dispatch_uid=f"loyalty_actions.review.{signal is post_save}",
        )
    club_signals.consent_changed.connect(
        on_consent_changed, dispatch_uid="loyalty_actions.consent_changed"
    )
    post_save.connect(on_member_saved, sender=Member, dispatch_uid="loyalty_actions.member_saved")
    post_save.connect(
        on_user_saved, sender=get_user_model(), dispatch_uid="loyalty_actions.user_saved"
    )
    action_performed.connect(on_action_performed, dispatch_uid="loyalty_actions.action_performed")
