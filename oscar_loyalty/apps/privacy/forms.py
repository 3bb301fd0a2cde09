from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    """The member confirms erasure with their password (someone at an unlocked screen can't)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account, profile and club membership will be erased "
            "and cannot be restored."
        ),
        required=True,
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class StaffErasureForm(forms.Form):
    """Staff type the customer's email address to confirm which account they erase."""

    confirm_email = forms.CharField(label=_("Type the customer's email address to confirm"))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_confirm_email(self):
        typed = self.cleaned_data["confirm_email"].strip().lower()
        if typed != (self.user.email or "").strip().lower():
            raise forms.ValidationError(_("This is not the customer's email address."))
        return typed
