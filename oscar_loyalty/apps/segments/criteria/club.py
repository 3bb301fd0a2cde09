"""Club criteria: tier, status, joining date, acquisition channel, referred or not."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.apps.membership.models import Member, Tier

from ..rules import Criterion, register
from .common import (
    CLUB,
    PeriodForm,
    _in_period,
    _parse_ids,
)

# Club ------------------------------------------------------------------------


class TierForm(forms.Form):
    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"), required=False, queryset=Tier.objects.all()
    )
    no_tier = forms.BooleanField(label=_("Or no tier"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("tiers") and not data.get("no_tier"):
            raise ValidationError(_("Choose at least one tier."))
        return data


def _tier(p: dict, now: datetime) -> Q:
    q = Q(tier_id__in=_parse_ids(p.get("tiers", [])))
    if p.get("no_tier"):
        q |= Q(tier__isnull=True)
    return q


register(Criterion(key="tier", label=_("Tier"), form_class=TierForm, group=CLUB, build=_tier))


class StatusForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Membership status"), choices=Member.STATUS_CHOICES
    )


register(
    Criterion(
        key="status",
        label=_("Membership status"),
        form_class=StatusForm,
        group=CLUB,
        build=lambda p, now: Q(status__in=p["statuses"]),
    )
)


class JoinedForm(PeriodForm):
    def clean(self):
        data = super().clean()
        if not (data.get("days") or data.get("since") or data.get("until")):
            raise ValidationError(_("Give a number of days or dates."))
        return data


register(
    Criterion(
        key="joined",
        label=_("Joined the club"),
        form_class=JoinedForm,
        group=CLUB,
        build=lambda p, now: _in_period("joined_at", p, now),
    )
)


UNKNOWN_CHANNEL = "unknown"


def _journey_installed() -> bool:
    return apps.is_installed("oscar_loyalty.apps.journey")


def _acquisition_choices():
    from oscar_loyalty.apps.journey.models import FirstTouch

    return [*FirstTouch.CHANNEL_CHOICES, (UNKNOWN_CHANNEL, _("Not recorded"))]


class AcquisitionForm(forms.Form):
    channels = forms.MultipleChoiceField(label=_("Came from"), choices=_acquisition_choices)


def _acquisition(p: dict, now: datetime) -> Q:
    from oscar_loyalty.apps.journey.models import FirstTouch

    channels = [c for c in p["channels"] if c != UNKNOWN_CHANNEL]
    touches = FirstTouch.objects.filter(member_id=OuterRef("pk"))
    q = Q(Exists(touches.filter(channel__in=channels))) if channels else Q(pk__in=[])
    if UNKNOWN_CHANNEL in p["channels"]:
        q |= ~Q(Exists(touches))
    return q


register(
    Criterion(
        key="acquisition",
        label=_("Acquisition channel"),
        form_class=AcquisitionForm,
        group=CLUB,
        help_text=_("From the member's first visit (UTM parameters, referring site, referral)."),
        build=_acquisition,
        is_available=_journey_installed,
    )
)


class ReferredForm(forms.Form):
    # Saved as "yes"/"no" (what the editor's select shows); JSON true/false is accepted.
    referred = forms.ChoiceField(
        label=_("Joined through a friend's referral"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
    )

    def __init__(self, *args, data=None, **kwargs):
        if data is not None and isinstance(data.get("referred"), bool):
            data = type(data)(data, referred="yes" if data["referred"] else "no")
        super().__init__(*args, data=data, **kwargs)


def _referred(p: dict, now: datetime) -> Q:
    Referral = apps.get_model("loyalty_referrals", "Referral")
    referred = Q(Exists(Referral.objects.filter(referee_id=OuterRef("user_id"))))
    return (
        referred
        if p["referred"] in (True, "yes", "True", "true")
        else (Q(user__isnull=False) & ~referred)
    )


register(
    Criterion(
        key="referred",
        label=_("Referred by a friend"),
        form_class=ReferredForm,
        group=CLUB,
        build=_referred,
        is_available=lambda: apps.is_installed("oscar_loyalty.apps.referrals"),
    )
)
