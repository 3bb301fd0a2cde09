"""The referrals app's part of a data export and an erasure (see ``apps.privacy``).

The friends a member referred are other people: the export names them by
status and date only. Erasure deletes the hashed fraud signals kept about
the member (``Referral.signals``) and the member's share-link visits; the
referral rows stay, since the other side's rewards depend on them.
"""

from __future__ import annotations

from oscar_loyalty.apps.privacy import registry
from oscar_loyalty.apps.privacy.serialise import row

from .models import Referral, ReferralCode, ReferralVisit


def export_referrals(subject) -> dict:
    member = subject.member
    code = ReferralCode.objects.filter(member=member).first() if member else None
    made = Referral.objects.filter(referrer=member) if member else Referral.objects.none()
    own = Referral.objects.filter(referee=subject.user).first()
    return {
        "code": code.code if code else None,
        "share_link_visits": ReferralVisit.objects.filter(code=code).count() if code else 0,
        "referrals_made": [
            {
                "status": referral.status,
                "created_at": referral.created_at,
                "rewarded_at": referral.rewarded_at,
                "referrer_points": referral.referrer_points,
            }
            for referral in made
        ],
        "referred_by": row(own, exclude=("referrer", "code", "reviewed_by")) if own else None,
    }


def erase_referrals(subject) -> int:
    changed = Referral.objects.filter(referee=subject.user).update(signals={}, review_reasons=[])
    if subject.member is not None:
        changed += ReferralVisit.objects.filter(code__member=subject.member).delete()[0]
    return changed


def delete_old_visits(cutoff, batch_size: int) -> int:
    from oscar_loyalty.apps.privacy.retention import delete_in_batches

    return delete_in_batches(ReferralVisit.objects.filter(created_at__lt=cutoff), batch_size)


registry.register_section("referrals", exporter=export_referrals, eraser=erase_referrals)
registry.register_retention(
    "referral_visits", setting="PRIVACY_REFERRAL_VISIT_DAYS", delete_older_than=delete_old_visits
)
