"""Welcome and birthday gifts: personal single-use vouchers (or welcome points).

Every gift has a unique key (``welcome:<member>``, ``birthday:<member>:<year>``),
so issuing is idempotent: running the daily command twice, or two workers
at once, gives each member one gift. Dates are the store's (``TIME_ZONE``).

Birthday rules (see ``docs/offers.md``):

* the birthday is celebrated on its day; 29 February on 28 February in
  years without one;
* the voucher is issued ``BIRTHDAY_DAYS_BEFORE`` days ahead and is valid
  from then until the end of ``BIRTHDAY_DAYS_AFTER`` days after the birthday;
* a birthday changed within ``BIRTHDAY_CHANGE_BLOCK_DAYS`` earns nothing
  that year;
* the greeting email is advertising (Israel's §30A): it is sent only to
  members whose latest marketing-email consent is a grant. Everyone sees
  the voucher on the account page.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import GiftUnavailable
from oscar_loyalty.mail import send_member_email
from oscar_loyalty.notices import send_member_notice

from .models import MemberGift

logger = logging.getLogger(__name__)

ConditionalOffer = get_model("offer", "ConditionalOffer")
Voucher = get_model("voucher", "Voucher")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def celebration_date(birthday: date, year: int) -> date:
    """The day the birthday is celebrated in ``year``: 29 Feb becomes 28 Feb in common years."""
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def issue_voucher(member: Member, *, offer_slug: str, name: str, starts_at, ends_at):
    """A single-use voucher on the voucher offer ``offer_slug`` (call inside a transaction)."""
    from oscar.apps.voucher.utils import get_unused_code

    offer = ConditionalOffer.objects.filter(
        slug=offer_slug, offer_type=ConditionalOffer.VOUCHER
    ).first()
    if offer is None:
        raise GiftUnavailable(f"There is no voucher offer with the slug {offer_slug!r}.")
    voucher = Voucher.objects.create(
        name=name[:128],
        code=get_unused_code(length=12),
        usage=Voucher.SINGLE_USE,
        start_datetime=starts_at,
        end_datetime=ends_at,
    )
    voucher.offers.add(offer)
    return voucher


def _create_gift(member: Member, *, key: str, build) -> MemberGift | None:
    """Lock the member, skip a key already issued, else ``build()`` the gift."""
    try:
        with transaction.atomic():
            Member.objects.select_for_update().filter(pk=member.pk).first()
            if MemberGift.objects.filter(key=key).exists():
                return None
            return build()
    except IntegrityError:
        # Another worker issued the same key between our check and insert.
        return None


# Welcome -------------------------------------------------------------------


def issue_welcome_gift(member: Member, *, now: datetime | None = None) -> MemberGift | None:
    """The gift ``OSCAR_LOYALTY_WELCOME_GIFT`` names, once per member; ``None`` if none."""
    now = _now(now)
    kind = app_settings.WELCOME_GIFT
    if kind == "none" or not member.has_benefits(now):
        return None
    key = f"welcome:{member.pk}"

    def build() -> MemberGift:
        if kind == "voucher":
            voucher = issue_voucher(
                member,
                offer_slug=app_settings.WELCOME_OFFER,
                name=f"Welcome {member.number}",
                starts_at=now,
                ends_at=now + timedelta(days=app_settings.WELCOME_VOUCHER_DAYS),
            )
            return MemberGift.objects.create(
                key=key, member=member, kind=MemberGift.WELCOME, voucher=voucher, created_at=now
            )
        if kind == "points" and apps.is_installed("oscar_loyalty.apps.points"):
            from oscar_loyalty.apps.points.bonuses import award_bonus

            # The points app's own join key: a store that also set
            # POINTS_BONUSES["join"] still credits the join bonus once.
            points = app_settings.WELCOME_POINTS
            award_bonus(member, kind="join", points=points, now=now)
            return MemberGift.objects.create(
                key=key, member=member, kind=MemberGift.WELCOME, points=points, created_at=now
            )
        raise GiftUnavailable(f"Unknown welcome gift {kind!r}.")

    return _create_gift(member, key=key, build=build)


def send_welcome_email(member: Member, gift: MemberGift | None) -> bool:
    """The welcome mail (``WELCOME_EMAIL``): the member number, and the gift if one was issued.

    Sent by the offers app because it knows the gift; a store without it
    sends no welcome mail. A service mail: it confirms what the customer
    asked for (docs/membership.md).
    """
    if not app_settings.WELCOME_EMAIL:
        return False
    return send_member_email(
        member,
        email_type="welcome",
        context={"gift": gift, "shop_name": settings.OSCAR_SHOP_NAME},
    )


# Birthday ------------------------------------------------------------------


def birthday_gift_refusal(member: Member, *, on: date, now: datetime) -> str | None:
    """Why ``member`` gets no birthday gift celebrated on ``on``, or ``None``."""
    if member.birthday is None:
        return "no birthday"
    if celebration_date(member.birthday, on.year) != on:
        return "not the birthday"
    if not member.has_benefits(now):
        return "no member benefits"
    block = timedelta(days=app_settings.BIRTHDAY_CHANGE_BLOCK_DAYS)
    if member.birthday_changed_at and now - member.birthday_changed_at < block:
        return "birthday changed recently"
    return None


def issue_birthday_gift(
    member: Member, *, on: date | None = None, now: datetime | None = None
) -> MemberGift | None:
    """A birthday voucher for the birthday celebrated on ``on`` (default: the one due now)."""
    now = _now(now)
    offer_slug = app_settings.BIRTHDAY_OFFER
    if not offer_slug:
        return None
    if on is None:
        on = timezone.localdate(now) + timedelta(days=app_settings.BIRTHDAY_DAYS_BEFORE)
    if birthday_gift_refusal(member, on=on, now=now):
        return None
    key = f"birthday:{member.pk}:{on.year}"

    def build() -> MemberGift:
        voucher = issue_voucher(
            member,
            offer_slug=offer_slug,
            name=f"Birthday {on.year} {member.number}",
            starts_at=_start_of(on - timedelta(days=app_settings.BIRTHDAY_DAYS_BEFORE)),
            ends_at=_end_of(on + timedelta(days=app_settings.BIRTHDAY_DAYS_AFTER)),
        )
        gift = MemberGift.objects.create(
            key=key,
            member=member,
            kind=MemberGift.BIRTHDAY,
            voucher=voucher,
            occasion=on,
            created_at=now,
        )
        if member.user_id:  # consent is checked when sending, on the member's channel
            transaction.on_commit(lambda: send_birthday_email(gift.pk))
        return gift

    return _create_gift(member, key=key, build=build)


def members_celebrating(on: date):
    """Members whose birthday is celebrated on ``on`` (29 Feb ones on 28 Feb in common years)."""
    members = Member.objects.filter(status=Member.ACTIVE, user__isnull=False)
    if on.month == 2 and on.day == 28 and not calendar.isleap(on.year):
        return members.filter(birthday__month=2, birthday__day__in=(28, 29))
    return members.filter(birthday__month=on.month, birthday__day=on.day)


def issue_birthday_gifts(*, now: datetime | None = None) -> int:
    """The daily job: every birthday gift due today. Returns how many were issued."""
    now = _now(now)
    if not app_settings.BIRTHDAY_OFFER:
        return 0
    on = timezone.localdate(now) + timedelta(days=app_settings.BIRTHDAY_DAYS_BEFORE)
    issued = 0
    for member in members_celebrating(on).select_related("user").iterator():
        try:
            if issue_birthday_gift(member, on=on, now=now):
                issued += 1
        except GiftUnavailable:
            raise
        except Exception:  # noqa: BLE001 - one member's problem must not stop the rest.
            logger.exception("Birthday gift failed for member %s", member.pk)
    return issued


def send_birthday_email(gift_pk: int) -> bool:
    """Send the greeting with the voucher (after commit); marks the gift as emailed."""
    gift = MemberGift.objects.select_related("member__user", "voucher").get(pk=gift_pk)
    member = gift.member
    if gift.emailed_at:
        return False
    # An advertising type (``EMAIL_TYPE_CLASSES``): consent is checked at send
    # time on the member's channel, by email (``mail.may_send``) or by the
    # outbox's gate for SMS and WhatsApp.
    sent = send_member_notice(
        member,
        notice_type="birthday",
        context={"gift": gift, "voucher": gift.voucher, "shop_name": settings.OSCAR_SHOP_NAME},
        key=f"birthday:{gift.pk}",
    )
    if sent:
        MemberGift.objects.filter(pk=gift.pk).update(emailed_at=timezone.now())
    return sent


def gifts_for(member: Member):
    """The member's gifts, newest first, with their vouchers."""
    return member.loyalty_gifts.select_related("voucher")


def waiting_gifts(member: Member, *, now: datetime | None = None) -> list[MemberGift]:
    """The member's gift vouchers still to use: not used on an order, valid now or later."""
    now = _now(now)
    return list(
        gifts_for(member).filter(
            voucher__isnull=False, voucher__num_orders=0, voucher__end_datetime__gt=now
        )
    )
