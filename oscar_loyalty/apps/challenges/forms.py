from __future__ import annotations

from django import forms

from .models import Challenge


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = [
            "name",
            "description",
            "kind",
            "target",
            "period_days",
            "starts_at",
            "ends_at",
            "is_active",
            "segment",
            "reward_kind",
            "reward_points",
            "reward_offer",
            "reward_draw",
            "max_completions",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
