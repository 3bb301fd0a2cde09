"""Staff forms for members-only offers, promotions, draws and tier-only products."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_class, get_model

from oscar_loyalty.apps.membership.models import Tier
from oscar_loyalty.apps.segments.models import Segment

from .models import PrizeDraw
from .services import MemberOfferSpec

Range = get_model("offer", "Range")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Voucher = get_model("voucher", "Voucher")
Product = get_model("catalogue", "Product")
ProductSelect = get_class("dashboard.catalogue.widgets", "ProductSelect")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MemberOfferForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    offer_type = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (ConditionalOffer.SITE, _("Site offer (applies by itself)")),
            (ConditionalOffer.VOUCHER, _("Voucher offer (needs a code)")),
        ],
    )
    range = forms.ModelChoiceField(label=_("Products (range)"), queryset=Range.objects.all())
    condition_type = forms.ChoiceField(label=_("Condition"), choices=Condition.TYPE_CHOICES)
    condition_value = forms.DecimalField(
        label=_("Condition value"), min_value=0, max_digits=12, decimal_places=2
    )
    benefit_type = forms.ChoiceField(
        label=_("Discount"),
        choices=[
            (Benefit.PERCENTAGE, _("Percentage off the products")),
            (Benefit.FIXED, _("Fixed amount off the basket")),
            (Benefit.FIXED_UNIT, _("Fixed amount off each product")),
        ],
    )
    benefit_value = forms.DecimalField(
        label=_("Discount value"), min_value=0, max_digits=12, decimal_places=2
    )
    segment = forms.ModelChoiceField(
        label=_("Only this segment"),
        queryset=Segment.objects.all(),
        required=False,
        help_text=_(
            "Leave empty for every member. To limit the offer to tiers, save a segment "
            "with the Tier condition."
        ),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DateTimeInput())
    voucher_code = forms.CharField(
        label=_("Voucher code"),
        max_length=128,
        required=False,
        help_text=_("Voucher offers only. Gift vouchers are issued separately, one per member."),
    )
    voucher_usage = forms.ChoiceField(
        label=_("Voucher usage"), choices=Voucher.USAGE_CHOICES, initial=Voucher.ONCE_PER_CUSTOMER
    )
    priority = forms.IntegerField(label=_("Priority"), initial=0)

    @classmethod
    def initial_for(cls, offer) -> dict:
        condition, benefit = offer.condition, offer.benefit
        voucher = offer.vouchers.filter(loyalty_gift__isnull=True).order_by("pk").first()
        rule = getattr(condition, "loyalty_member_rule", None)
        return {
            "name": offer.name,
            "description": offer.description,
            "offer_type": offer.offer_type,
            "range": condition.range_id,
            "condition_type": condition.type,
            "condition_value": condition.value,
            "benefit_type": benefit.type,
            "benefit_value": benefit.value,
            "segment": rule.segment_id if rule else None,
            "starts_at": offer.start_datetime,
            "ends_at": offer.end_datetime,
            "voucher_code": voucher.code if voucher else "",
            "voucher_usage": voucher.usage if voucher else Voucher.ONCE_PER_CUSTOMER,
            "priority": offer.priority,
        }

    def to_spec(self) -> MemberOfferSpec:
        data = self.cleaned_data
        return MemberOfferSpec(
            name=data["name"],
            description=data["description"],
            offer_type=data["offer_type"],
            range=data["range"],
            condition_type=data["condition_type"],
            condition_value=data["condition_value"],
            benefit_type=data["benefit_type"],
            benefit_value=data["benefit_value"],
            segment=data["segment"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            voucher_code=data["voucher_code"],
            voucher_usage=data["voucher_usage"],
            priority=data["priority"],
        )


class PromotionStateForm(forms.Form):
    is_on = forms.BooleanField(label=_("On"), required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DateTimeInput())


class PrizeDrawForm(forms.ModelForm):
    class Meta:
        model = PrizeDraw
        fields = [
            "name",
            "prize",
            "winners_count",
            "tiers",
            "min_spend",
            "spend_from",
            "spend_until",
            "requires_marketing_consent",
            "entry_mode",
            "spend_per_entry",
            "is_active",
            "starts_at",
            "ends_at",
        ]
        widgets = {
            name: DateTimeInput() for name in ("spend_from", "spend_until", "starts_at", "ends_at")
        }

    def clean(self):
        data = super().clean()
        if data.get("entry_mode") == PrizeDraw.PER_SPEND and not data.get("spend_per_entry"):
            self.add_error("spend_per_entry", _("Say how much spending earns one entry."))
        return data


class MemberPriceForm(forms.Form):
    """One product's member price, the product picked with Oscar's dashboard chooser."""

    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.all(),
        widget=ProductSelect,
        help_text=_("Type part of the title or the UPC. Priced on each of its stock records."),
    )
    price = forms.DecimalField(
        label=_("Member price (excluding tax)"), min_value=0, max_digits=12, decimal_places=2
    )
    segment = forms.ModelChoiceField(
        label=_("Only for the segment"),
        queryset=Segment.objects.all(),
        required=False,
        help_text=_("Empty: every member with benefits."),
    )


class MemberPriceImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: sku or upc, and member_price (empty to remove). UTF-8, comma or semicolon."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class TierOnlyRangeForm(forms.Form):
    """Which tiers alone may buy a range's products, and from when everyone may."""

    range = forms.ModelChoiceField(
        label=_("Products (range)"),
        queryset=Range.objects.order_by("name"),
        help_text=_("An Oscar range (Dashboard → Offers → Ranges), not one of every product."),
    )
    tiers = forms.ModelMultipleChoiceField(
        label=_("Only these tiers may buy them"),
        queryset=Tier.objects.order_by("qualifying_spend", "pk"),
        widget=forms.CheckboxSelectMultiple,
    )
    everyone_from = forms.DateTimeField(
        label=_("Open to every shopper from"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Early access: empty keeps the products for the tiers, always."),
    )

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rule is not None:
            # The rule belongs to its range: editing changes the tiers and the date only.
            self.fields["range"].disabled = True
            self.initial.update(
                range=rule.range_id,
                tiers=[tier.pk for tier in rule.tiers.all()],
                everyone_from=rule.everyone_from,
            )
