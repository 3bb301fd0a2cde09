"""Staff forms: partners, the settlement period, and the in-store till."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .instore import RECEIPT_RE
from .models import Partner


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "name",
            "slug",
            "is_active",
            "earn_rate",
            "burn_rate",
            "issue_price",
            "daily_earn_cap",
            "daily_burn_cap",
            "member_daily_earn_cap",
            "member_daily_burn_cap",
        ]


class SettlementForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def default_period(cls) -> dict:
        """The previous calendar month: the usual settlement period."""
        first_this_month = timezone.localdate().replace(day=1)
        end = first_this_month - timedelta(days=1)
        return {"start": end.replace(day=1), "end": end}

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must end on or after its start."))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 366:
            raise forms.ValidationError(_("Choose a period of at most a year."))
        return data


class CardLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Member number"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control",
            }
        ),
    )


class InStorePurchaseForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=64)
    amount = forms.DecimalField(
        label=_("Amount paid"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000000"),
    )
    receipt = forms.RegexField(
        label=_("Receipt reference"),
        regex=RECEIPT_RE,
        max_length=64,
        error_messages={"invalid": _("Letters, digits and . _ / - only.")},
    )


class InStoreSpendForm(forms.Form):
    """Points the member spends at the till, on one receipt (the idempotency key)."""

    number = forms.CharField(widget=forms.HiddenInput, max_length=64)
    points = forms.IntegerField(label=_("Points to spend"), min_value=1, max_value=10**12)
    receipt = forms.RegexField(
        label=_("Receipt reference"),
        regex=RECEIPT_RE,
        max_length=64,
        error_messages={"invalid": _("Letters, digits and . _ / - only.")},
    )

    def __init__(self, *args, **kwargs):
        # Distinct ids: the purchase form on the same page has its own "receipt".
        kwargs.setdefault("auto_id", "id_spend_%s")
        super().__init__(*args, **kwargs)
