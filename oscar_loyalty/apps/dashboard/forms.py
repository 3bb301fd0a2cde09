from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.models import Member, Plan, Tier

Product = get_model("catalogue", "Product")


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, email or member number"), required=False, max_length=128)
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.all(), required=False)
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all(), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status"))] + Member.STATUS_CHOICES,
        required=False,
    )


class MemberLookupForm(forms.Form):
    number = forms.CharField(label=_("Member number"), max_length=32)


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "name",
            "slug",
            "description",
            "price",
            "period_months",
            "card_transferable",
            "product",
            "position",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only products of the membership class can sell a plan.
        self.fields["product"].queryset = Product.objects.filter(
            product_class__name=app_settings.MEMBERSHIP_PRODUCT_CLASS
        )
        self.fields["product"].help_text = _(
            'Products of the class "%(name)s". Required for a paid plan.'
        ) % {"name": app_settings.MEMBERSHIP_PRODUCT_CLASS}


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = [
            "name",
            "code",
            "qualifying_spend",
            "points_multiplier",
            "discount_percent",
            "is_active",
        ]
