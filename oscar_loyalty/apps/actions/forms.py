"""The staff form of an action rule (Oscar's dashboard, ``dashboard/actions_views``)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .models import ActionRule


def segment_choices() -> list[tuple[str, str]]:
    """The saved segments, when the segments app is installed (its ids are what a rule keeps)."""
    choices = [("", _("Every member"))]
    if apps.is_installed("oscar_loyalty.apps.segments"):
        Segment = apps.get_model("loyalty_segments", "Segment")
        choices += [(str(pk), name) for pk, name in Segment.objects.values_list("pk", "name")]
    return choices


class ActionRuleForm(forms.ModelForm):
    segment = forms.TypedChoiceField(
        label=_("only for the segment"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Empty: every member with benefits."),
    )

    class Meta:
        model = ActionRule
        fields = [
            "name",
            "kind",
            "code",
            "points",
            "is_active",
            "starts_at",
            "ends_at",
            "cap_count",
            "cap_period",
            "tiers",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "tiers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = segment_choices()
        if self.instance.segment_id is not None:
            self.initial["segment"] = str(self.instance.segment_id)
        if not apps.is_installed("oscar_loyalty.apps.segments"):
            del self.fields["segment"]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise forms.ValidationError(_("The rule must end after it starts."))
        return data

    def save(self, commit=True):
        if "segment" in self.fields:
            self.instance.segment_id = self.cleaned_data.get("segment")
        return super().save(commit=commit)
