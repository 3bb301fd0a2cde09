from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_POINTS


class ApplyPointsForm(forms.Form):
    """ "Apply N points" or "use the maximum" on the basket page."""

    points = forms.IntegerField(
        label=_("Points"),
        required=False,
        min_value=1,
        max_value=MAX_POINTS,
        error_messages={
            "invalid": _("Enter a whole number of points."),
            "min_value": _("Enter a positive number of points."),
            "max_value": _("That number of points is too large."),
        },
    )
    use_max = forms.BooleanField(label=_("Use as many as possible"), required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("use_max") and data.get("points") is None:
            raise forms.ValidationError(_("Enter how many points to apply."))
        return data

    def requested_points(self) -> int | None:
        """``None`` means "the most allowed"."""
        return None if self.cleaned_data["use_max"] else self.cleaned_data["points"]


class AdjustPointsForm(forms.Form):
    """Staff: add (positive) or take away (negative) points, always with a reason."""

    points = forms.IntegerField(
        label=_("Points"),
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text=_("Negative to take points away."),
        error_messages={"invalid": _("Enter a whole number of points.")},
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)
    # A fresh token per form render: a double-submitted form adjusts once.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return points

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason for the adjustment."))
        return reason


class PromotionForm(forms.ModelForm):
    class Meta:
        from .models import PointsPromotion

        model = PointsPromotion
        fields = ["name", "multiplier", "starts_at", "ends_at", "is_active"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise forms.ValidationError(_("The promotion must end after it starts."))
        if data.get("multiplier") is not None and data["multiplier"] <= 0:
            self.add_error("multiplier", _("The multiplier must be above zero."))
        return data
