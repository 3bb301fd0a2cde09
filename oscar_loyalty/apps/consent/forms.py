from __future__ import annotations

from django import forms

from oscar_loyalty import app_settings

from .models import ConsentState
from .wording import PURPOSES, get_wording


class PreferencesForm(forms.Form):
    """One box per purpose and offered channel, each showing the exact wording it records."""

    def __init__(self, *args, states: dict[tuple[str, str], str], **kwargs):
        super().__init__(*args, **kwargs)
        self.states = states
        for purpose in PURPOSES:
            for channel in app_settings.CONSENT_CHANNELS_OFFERED:
                status = states.get((purpose, channel))
                self.fields[f"{purpose}:{channel}"] = forms.BooleanField(
                    label=get_wording(purpose, channel).text,
                    required=False,
                    initial=status in (ConsentState.GRANTED, ConsentState.PENDING),
                    help_text=("pending" if status == ConsentState.PENDING else ""),
                )

    def changes(self) -> list[tuple[str, str, bool]]:
        """``(purpose, channel, wanted)`` for every box whose value changed."""
        result = []
        for name in self.fields:
            purpose, channel = name.split(":")
            was = self.states.get((purpose, channel)) in (
                ConsentState.GRANTED,
                ConsentState.PENDING,
            )
            wanted = bool(self.cleaned_data.get(name))
            if wanted != was:
                result.append((purpose, channel, wanted))
        return result
