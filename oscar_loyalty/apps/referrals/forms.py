from django import forms
from django.utils.translation import gettext_lazy as _


class ReferralCodeForm(forms.Form):
    """A friend's code typed on the basket or checkout page."""

    code = forms.CharField(label=_("Friend's referral code"), max_length=32)
