from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.text import capfirst
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


class TranslationsFormMixin:
    """One field per other language of the store for each translated field.

    ``name_he``, ``description_he`` ...: staff write the store's language in the
    model's own fields and the other languages of ``LANGUAGES`` here; saved in
    the model's ``translations`` (``models_base.StaffTranslations``). An empty
    field removes that translation (the store's text is then shown).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.translations if isinstance(self.instance.translations, dict) else {}
        for code, language in self.other_languages():
            for name in self._meta.model.translated_fields:
                model_field = self._meta.model._meta.get_field(name)
                field_name = f"{name}_{code}"
                widget = forms.Textarea(attrs={"rows": 3}) if name == "description" else None
                self.fields[field_name] = forms.CharField(
                    label=_("%(field)s (%(language)s)")
                    % {"field": capfirst(model_field.verbose_name), "language": language},
                    required=False,
                    max_length=model_field.max_length,
                    widget=widget,
                )
                self.fields[field_name].widget.attrs["lang"] = code
                self.initial[field_name] = (stored.get(code) or {}).get(name, "")

    @staticmethod
    def other_languages() -> list[tuple[str, str]]:
        return [
            (code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
        ]

    def save(self, commit=True):
        translations = {}
        for code, _language in self.other_languages():
            values = {
                name: self.cleaned_data[f"{name}_{code}"].strip()
                for name in self._meta.model.translated_fields
                if self.cleaned_data.get(f"{name}_{code}", "").strip()
            }
            if values:
                translations[code] = values
        self.instance.translations = translations
        return super().save(commit=commit)


class PlanForm(TranslationsFormMixin, forms.ModelForm):
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


class TierForm(TranslationsFormMixin, forms.ModelForm):
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
