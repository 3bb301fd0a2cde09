"""Erasure (GDPR art. 17, Israeli PPL §14): one transaction, all or nothing.

``erase_user`` runs every registered eraser (``registry``), then the
``member_erasing`` signal, then anonymises the account, and writes an
``ErasureRequest`` log row without personal data. What stays, and why, is in
``docs/privacy.md``: orders and their totals (accounting), the points ledger
(totals), consent evidence without the person, a hashed suppression entry.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from oscar.core.loading import get_model

from oscar_loyalty import app_settings, signals
from oscar_loyalty.exceptions import AlreadyErased, OrdersStillOpen, StaffAccountErasure
from oscar_loyalty.hashing import Purpose, keyed_hash

from . import registry
from .models import ErasureRequest
from .oscar_data import ACCOUNT_ORDER, is_erased

#: Stored in the erasure log: the scheme it was written with (``oscar_loyalty.hashing``).
ERASED_MEMBER = Purpose(
    "privacy.erased_member", secret=lambda: app_settings.EMAIL_HASH_KEY, stored_prefix="member:"
)


def member_hash(number: str) -> str:
    """Keyed hash of a member number, for the erasure log (``EMAIL_HASH_KEY``)."""
    return keyed_hash(ERASED_MEMBER, number) if number else ""


def check_erasable(user) -> None:
    """Raise the reason ``user`` cannot be erased now, if there is one."""
    if is_erased(user):
        raise AlreadyErased()
    if user.is_staff or user.is_superuser:
        raise StaffAccountErasure()
    statuses = app_settings.PRIVACY_OPEN_ORDER_STATUSES
    Order = get_model("order", "Order")
    if statuses and Order.objects.filter(user=user, status__in=statuses).exists():
        raise OrdersStillOpen()


def erase_user(user, *, source: str, staff_user=None) -> ErasureRequest:
    """Erase ``user``'s personal data; returns the log row. Raises ``PrivacyError``."""
    from oscar_loyalty.hashing import email_hash

    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        check_erasable(user)
        subject = registry.Subject.for_user(user)
        summary: dict[str, int] = {}
        sections = [section for section in registry.sections() if section.eraser is not None]
        for section in sections:
            if section.order >= ACCOUNT_ORDER:
                continue
            summary[section.name] = int(section.eraser(subject) or 0)
        signals.member_erasing.send(
            sender=ErasureRequest, user=user, member=subject.member, email=subject.email
        )
        for section in sections:
            if section.order >= ACCOUNT_ORDER:
                summary[section.name] = int(section.eraser(subject) or 0)
        return ErasureRequest.objects.create(
            source=source,
            staff_user=staff_user,
            member_hash=member_hash(subject.member.number) if subject.member else "",
            email_hash=email_hash(subject.email) if subject.email else "",
            summary=summary,
        )
