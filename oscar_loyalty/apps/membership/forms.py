from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import default_class_loader, get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.wording import MARKETING, get_wording

from .models import Member, Plan

#: Channels whose consent names the mobile number (``services.NUMBER_CHANNELS``).
NUMBER_CHANNELS = ("sms", "whatsapp")

Category = get_model("catalogue", "Category")
# The store's own registration form (forked or Oscar's), loaded without our
# class loader: through it, this name would resolve to ClubRegistrationForm.
EmailUserCreationForm = default_class_loader(
    "customer.forms", ["EmailUserCreationForm"], "oscar.apps"
)[0]


class ConsentFieldsMixin:
    """One unticked checkbox per offered marketing channel, labelled with the exact wording.

    The wording (and its version) shown here is what ``record_consent`` stores.
    """

    def add_consent_fields(self) -> None:
        for channel in app_settings.CONSENT_CHANNELS_OFFERED:
            wording = get_wording(MARKETING, channel)
            self.fields[f"consent_{channel}"] = forms.BooleanField(
                label=wording.text, required=False, initial=False
            )

    def consent_channels(self) -> list[str]:
        return [
            channel
            for channel in app_settings.CONSENT_CHANNELS_OFFERED
            if self.cleaned_data.get(f"consent_{channel}")
        ]


def add_name_fields(form, *, required: bool) -> None:
    """First and last name: the club's mails greet with them ("Hello Dana,")."""
    form.fields["first_name"] = forms.CharField(
        label=_("First name"), max_length=150, required=required
    )
    form.fields["last_name"] = forms.CharField(
        label=_("Last name"), max_length=150, required=False
    )


class JoinForm(ConsentFieldsMixin, forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        label=_("Plan"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated and not user.first_name:
            add_name_fields(self, required=True)
        if user is not None and user.is_authenticated:
            # Signed-in only: a guest's choices wait in the session while they
            # log in, and a phone number is not kept there (they see it again).
            from oscar_loyalty import phones

            self.fields["phone"] = phones.mobile_form_field(
                required=False,
                help_text=_("Optional: for SMS and WhatsApp, if you agree to them below."),
            )
        plans = Plan.objects.filter(is_active=True, price=0)
        self.fields["plan"].queryset = plans
        self.fields["plan"].initial = plans.first()
        self.add_consent_fields()
        self.helper = FormHelper()
        self.helper.add_input(Submit("join", _("Join the club")))


class ClubRegistrationForm(ConsentFieldsMixin, EmailUserCreationForm):
    """Oscar's registration form plus "join the club" and the consent boxes.

    Enabled by ``oscar_loyalty.loading.class_loader``. The choices travel on
    the new user object to the ``user_registered`` receiver, which has the
    request needed to record the consent evidence (IP, user agent).
    """

    join_club = forms.BooleanField(label=_("Join the customer club (free)"), required=False)
    # Read from request.POST by the referrals app's ``user_registered`` receiver.
    referral_code = forms.CharField(
        label=_("A friend's referral code (optional)"), max_length=32, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional here: a store's tests and shoppers may register with an email alone.
        add_name_fields(self, required=False)
        self.add_consent_fields()

    def save(self, commit=True):
        user = super().save(commit=False)
        user.first_name = self.cleaned_data.get("first_name", "").strip()
        user.last_name = self.cleaned_data.get("last_name", "").strip()
        if commit:
            user.save()
        user.loyalty_registration = {
            "join": self.cleaned_data.get("join_club", False),
            "consent_channels": self.consent_channels()
            if self.cleaned_data.get("join_club")
            else [],
        }
        return user


class BirthdayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def clean(self, value):
        birthday = super().clean(value)
        if birthday is None:
            return None
        today = timezone.localdate()
        if birthday > today:
            raise forms.ValidationError(_("A birthday cannot be in the future."))
        if birthday < date(today.year - 120, 1, 1):
            raise forms.ValidationError(_("Please check the year of your birthday."))
        return birthday


class ProfileForm(forms.ModelForm):
    birthday = BirthdayField(label=_("Birthday"), required=False)
    preferred_channels = forms.MultipleChoiceField(
        label=_("How would you like us to contact you?"),
        choices=Member.CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("This is a preference, not consent to advertising."),
    )
    # Not required: a form posted without it (an older page, the API's
    # partial update) keeps email, the default.
    notice_channel = forms.ChoiceField(
        label=_("Send me club notices by"),
        choices=Member.NOTICE_CHANNEL_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Points earned, points about to expire, your birthday gift, prize draws and "
            "referral rewards. By SMS or WhatsApp we need your mobile number, and for "
            "notices that carry an offer, your consent to advertising on that channel; "
            "otherwise they come by email."
        ),
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Member
        fields = [
            "birthday",
            "interests",
            "preferred_channels",
            "notice_channel",
            "city",
            "region",
            "customer_type",
            "business_name",
            "budget_min",
            "budget_max",
            "language",
        ]
        widgets = {"language": forms.Select}

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["interests"].queryset = Category.objects.filter(depth=1).order_by("name")
        self.add_phone_fields()
        from django.apps import apps

        if not apps.is_installed("oscar_loyalty.apps.newsletter"):
            # No outbox, no SMS: every notice goes by email, so there is no choice.
            del self.fields["notice_channel"]
        self.fields["language"].widget.choices = [("", _("Store default"))] + list(
            settings.LANGUAGES
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def add_phone_fields(self) -> None:
        """The mobile number, and consent to SMS/WhatsApp for it where the member has none.

        Consent is bound to the number (docs/sms.md, "Phone numbers"): a
        member who changes it is offered consent for the new one here.
        """
        from oscar_loyalty import phones
        from oscar_loyalty.apps.consent import services as consent

        self.fields["phone"] = phones.mobile_form_field(
            required=False,
            initial=self.instance.phone or "",
            help_text=_("For SMS and WhatsApp. A new number needs your consent again."),
        )
        user = self.instance.user if self.instance.pk else None
        for channel in NUMBER_CHANNELS:
            if channel not in app_settings.CONSENT_CHANNELS_OFFERED:
                continue
            # Never ticked in advance; left unticked it withdraws nothing (the
            # preference centre does). Shown to a consenting member too: who
            # changes the number here ticks it again for the new one.
            consenting = user is not None and consent.has_consent(
                user, purpose=MARKETING, channel=channel
            )
            self.fields[f"consent_{channel}"] = forms.BooleanField(
                label=get_wording(MARKETING, channel).text,
                required=False,
                initial=False,
                help_text=_(
                    "You get them at the number above. A new number needs this box ticked again."
                )
                if consenting
                else _("For the mobile number above."),
            )

    def number_consents(self) -> list[str]:
        return [c for c in NUMBER_CHANNELS if self.cleaned_data.get(f"consent_{c}")]

    def clean(self):
        cleaned = super().clean()
        if self.number_consents() and not cleaned.get("phone"):
            self.add_error("phone", _("Enter your mobile number to receive messages on it."))
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The upper budget must not be below the lower one."))
        for name in ("budget_min", "budget_max"):
            if cleaned.get(name) is not None and cleaned[name] < 0:
                self.add_error(name, _("A budget cannot be negative."))
        if cleaned.get("customer_type") != Member.BUSINESS:
            cleaned["business_name"] = ""
        cleaned["notice_channel"] = cleaned.get("notice_channel") or Member.NOTICE_EMAIL
        return cleaned
