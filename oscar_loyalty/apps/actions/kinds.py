"""The built-in action kinds: what each one watches and when it earns or takes back.

* **review**: an approved review in Oscar's reviews app, once per product per
  member (object ``product:<id>``); taken back when the review is unapproved
  or deleted, earned again (net once) if it is approved again.
* **newsletter**: consent to marketing email confirmed (``ConsentState``
  granted, after the double opt-in link when that is on), once (``once``).
  Unsubscribing later keeps the points: the rule pays for the confirmation.
* **profile**: every field of ``OSCAR_LOYALTY_ACTIONS_PROFILE_FIELDS`` filled,
  once (``once``); emptying a field later keeps the points.
* **anniversary**: each year on the day the member joined (``anniversary:<year>``),
  from the daily job; 29 February joiners celebrate on 28 February in other years.

Each ``sync_*`` reads the truth from the database inside the account lock
(``services.sync``), so a stale object, a replayed signal or two syncs at
once end in the same state. ``catch_up`` redoes what a crash between the
change's commit and its ``on_commit`` hook lost.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.models import Member

from . import services
from .models import ActionAward, ActionRule

ONCE = "once"


def _review_model():
    return get_model("reviews", "ProductReview")


def review_key(product_id: int) -> str:
    return f"product:{product_id}"


def sync_review(
    *, user_id: int | None, product_id: int | None, now: datetime | None = None
) -> int:
    """Earn or take back the review rules for the member's review of one product."""
    if user_id is None or product_id is None:
        return 0  # anonymous reviews earn nothing
    member = Member.objects.filter(user_id=user_id).first()
    if member is None:
        return 0
    ProductReview = _review_model()

    def approved() -> bool:
        return ProductReview.objects.filter(
            user_id=user_id, product_id=product_id, status=ProductReview.APPROVED
        ).exists()

    return services.sync(
        member, kind=ActionRule.REVIEW, object_key=review_key(product_id), wanted=approved, now=now
    )


def has_confirmed_newsletter(member: Member) -> bool:
    from oscar_loyalty.apps.consent.services import has_consent
    from oscar_loyalty.apps.consent.wording import MARKETING

    user = member.user
    return user is not None and has_consent(user, purpose=MARKETING, channel="email")


def sync_newsletter(member: Member, *, now: datetime | None = None) -> int:
    """The newsletter rules, once the member's marketing email consent is confirmed."""
    return services.sync(
        member,
        kind=ActionRule.NEWSLETTER,
        object_key=ONCE,
        wanted=lambda: has_confirmed_newsletter(member),
        reversible=False,
        now=now,
    )


def profile_missing(member: Member) -> list[str]:
    """The fields of ``OSCAR_LOYALTY_ACTIONS_PROFILE_FIELDS`` still empty (none: complete)."""
    missing = []
    for name in app_settings.ACTIONS_PROFILE_FIELDS:
        owner, field = (member.user, name[5:]) if name.startswith("user.") else (member, name)
        value = getattr(owner, field, None) if owner is not None else None
        if isinstance(value, str):
            value = value.strip()
        if not value:
            missing.append(name)
    return missing


def is_profile_complete(member: Member) -> bool:
    return member.user_id is not None and not profile_missing(member)


def sync_profile(member: Member, *, now: datetime | None = None) -> int:
    """The profile rules, once the profile is complete (read again from the database)."""

    def complete() -> bool:
        fresh = Member.objects.select_related("user").filter(pk=member.pk).first()
        return fresh is not None and is_profile_complete(fresh)

    return services.sync(
        member,
        kind=ActionRule.PROFILE,
        object_key=ONCE,
        wanted=complete,
        reversible=False,
        now=now,
    )


def anniversary_day(joined: date, year: int) -> date:
    """The day the ``joined`` date comes round in ``year`` (29 February: 28th in other years)."""
    last = calendar.monthrange(year, joined.month)[1]
    return date(year, joined.month, min(joined.day, last))


def award_anniversaries(*, now: datetime | None = None, days: int = 7) -> int:
    """Daily: the anniversary rules for members whose joining day came round lately.

    Looks back ``days`` days (today included), so a daily run that was missed
    still pays; each year earns once (``anniversary:<year>``). Returns the
    number of awards earned.
    """
    now = services._now(now)
    if not services.running_rules(ActionRule.ANNIVERSARY, now=now):
        return 0
    today = timezone.localtime(now).date()
    window = [today - timedelta(days=back) for back in range(days)]
    wanted_days = {(d.month, d.day) for d in window}
    if any((d.month, d.day) == (2, 28) and not calendar.isleap(d.year) for d in window):
        wanted_days.add((2, 29))
    earned = 0
    on_day = Q()
    for month, day in wanted_days:  # in the store's time zone (USE_TZ: the current one)
        on_day |= Q(joined_at__month=month, joined_at__day=day)
    members = Member.objects.filter(on_day, status=Member.ACTIVE, joined_at__lt=now)
    for member in members.iterator():
        joined = timezone.localtime(member.joined_at).date()
        if (joined.month, joined.day) not in wanted_days:
            continue
        for day in window:
            if day.year > joined.year and anniversary_day(joined, day.year) == day:
                earned += bool(
                    services.sync(
                        member,
                        kind=ActionRule.ANNIVERSARY,
                        object_key=f"anniversary:{day.year}",
                        wanted=lambda: True,
                        reversible=False,
                        now=now,
                    )
                )
    return earned


def catch_up(*, now: datetime | None = None, days: int | None = None) -> dict[str, int]:
    """Daily: redo what a crash between a change and its hook lost. Idempotent.

    Reviews: approved member reviews of the last ``days`` days with a running
    rule not yet earned, and every earned review award whose review is no
    longer approved. Newsletter: confirmations in the window. Profile:
    members changed in the window.
    """
    now = services._now(now)
    days = app_settings.ACTIONS_CATCH_UP_DAYS if days is None else days
    since = now - timedelta(days=days)
    done = {"reviews": 0, "newsletter": 0, "profile": 0}
    ProductReview = _review_model()
    pairs: set[tuple[int, int]] = set()
    if services.running_rules(ActionRule.REVIEW, now=now):
        pairs |= set(
            ProductReview.objects.filter(
                status=ProductReview.APPROVED,
                date_created__gte=since,
                user__loyalty_member__isnull=False,
                product__isnull=False,
            ).values_list("user_id", "product_id")
        )
    # Earned awards whose review is no longer approved (or gone): taken back.
    still_approved = (
        ProductReview.objects.filter(user=OuterRef("member__user"), status=ProductReview.APPROVED)
        .annotate(key=Concat(Value("product:"), Cast("product_id", CharField())))
        .filter(key=OuterRef("object_key"))
    )
    orphaned = ActionAward.objects.filter(
        ~Exists(still_approved), rule__kind=ActionRule.REVIEW, status=ActionAward.EARNED
    ).values_list("member__user_id", "object_key")
    for user_id, object_key in orphaned:
        pairs.add((user_id, int(object_key.split(":", 1)[1])))
    for user_id, product_id in sorted(pairs, key=lambda pair: (pair[0] or 0, pair[1])):
        done["reviews"] += abs(sync_review(user_id=user_id, product_id=product_id, now=now)) > 0
    if services.running_rules(ActionRule.NEWSLETTER, now=now):
        from oscar_loyalty.apps.consent.models import ConsentState
        from oscar_loyalty.apps.consent.wording import MARKETING

        granted = ConsentState.objects.filter(
            user=OuterRef("user"),
            purpose=MARKETING,
            channel="email",
            status=ConsentState.GRANTED,
            granted_at__gte=since,
        )
        for member in Member.objects.filter(Exists(granted)).select_related("user"):
            done["newsletter"] += sync_newsletter(member, now=now) > 0
    if services.running_rules(ActionRule.PROFILE, now=now):
        for member in Member.objects.filter(updated_at__gte=since).select_related("user"):
            if is_profile_complete(member):
                done["profile"] += sync_profile(member, now=now) > 0
    return done
