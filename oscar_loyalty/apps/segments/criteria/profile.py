"""Profile criteria: age, city, region, private or business, interests, consent."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from oscar_loyalty.apps.consent.models import ConsentState
from oscar_loyalty.apps.consent.wording import CHANNELS
from oscar_loyalty.apps.membership.models import Member

from ..rules import Criterion, register
from .common import (
    PROFILE,
    _parse_ids,
    _require_bound,
)

# Profile ---------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


class AgeForm(forms.Form):
    min_age = forms.IntegerField(label=_("From age"), required=False, min_value=0, max_value=130)
    max_age = forms.IntegerField(label=_("To age"), required=False, min_value=0, max_value=130)

    def clean(self):
        data = super().clean()
        _require_bound(data, "min_age", "max_age")
        return data


def _age(p: dict, now: datetime) -> Q:
    today = timezone.localdate(now)
    q = Q(birthday__isnull=False)
    if p.get("min_age") is not None:
        q &= Q(birthday__lte=_years_before(today, int(p["min_age"])))
    if p.get("max_age") is not None:
        q &= Q(birthday__gt=_years_before(today, int(p["max_age"]) + 1))
    return q


register(
    Criterion(
        key="age",
        label=_("Age range"),
        form_class=AgeForm,
        group=PROFILE,
        help_text=_("From the birthday; members without a birthday never match."),
        build=_age,
    )
)


class CityForm(forms.Form):
    cities = forms.CharField(
        label=_("Cities (comma-separated)"), max_length=1000, help_text=_("Any of them.")
    )

    def clean_cities(self) -> list[str]:
        raw = self.cleaned_data["cities"]
        if isinstance(raw, list):
            raw = ",".join(raw)
        cities = [c.strip() for c in str(raw).split(",") if c.strip()]
        if not cities:
            raise ValidationError(_("Enter at least one city."))
        return cities


def _city(p: dict, now: datetime) -> Q:
    cities = p["cities"] if isinstance(p["cities"], list) else str(p["cities"]).split(",")
    q = Q(pk__in=[])
    for city in cities:
        q |= Q(city__iexact=city.strip())
    return q


register(
    Criterion(
        key="city",
        label=_("City"),
        form_class=CityForm,
        group=PROFILE,
        help_text=_("Upper and lower case are the same."),
        build=_city,
    )
)


class RegionForm(forms.Form):
    regions = forms.MultipleChoiceField(label=_("Regions"), choices=Member.REGION_CHOICES)


register(
    Criterion(
        key="region",
        label=_("Region"),
        form_class=RegionForm,
        group=PROFILE,
        build=lambda p, now: Q(region__in=p["regions"]),
    )
)


class CustomerTypeForm(forms.Form):
    customer_type = forms.ChoiceField(
        label=_("Customer type"), choices=Member.CUSTOMER_TYPE_CHOICES
    )


register(
    Criterion(
        key="customer_type",
        label=_("Private or business"),
        form_class=CustomerTypeForm,
        group=PROFILE,
        build=lambda p, now: Q(customer_type=p["customer_type"]),
    )
)


class InterestsForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=_("Interested in any of"),
        queryset=get_model("catalogue", "Category").objects.order_by("path"),
    )


def _interests(p: dict, now: datetime) -> Q:
    through = Member.interests.through
    return Q(
        Exists(
            through.objects.filter(
                member_id=OuterRef("pk"), category_id__in=_parse_ids(p["categories"])
            )
        )
    )


register(
    Criterion(
        key="interests",
        label=_("Interests"),
        form_class=InterestsForm,
        group=PROFILE,
        build=_interests,
    )
)


NO_CONSENT = "none"


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=list(CHANNELS.items()))
    status = forms.ChoiceField(
        label=_("Consent to marketing"),
        choices=[
            (ConsentState.GRANTED, _("Granted (confirmed)")),
            (ConsentState.PENDING, _("Waiting for confirmation")),
            (ConsentState.WITHDRAWN, _("Withdrawn")),
            (NO_CONSENT, _("Never asked")),
        ],
        initial=ConsentState.GRANTED,
    )


def _consent(p: dict, now: datetime) -> Q:
    states = ConsentState.objects.filter(
        user_id=OuterRef("user_id"), purpose="marketing", channel=p["channel"]
    )
    if p["status"] == NO_CONSENT:
        return Q(user__isnull=False) & ~Q(Exists(states))
    return Q(Exists(states.filter(status=p["status"])))


register(
    Criterion(
        key="consent",
        label=_("Consent to marketing"),
        form_class=ConsentForm,
        group=PROFILE,
        help_text=_("Sending always requires granted consent, whatever the segment says."),
        build=_consent,
    )
)
