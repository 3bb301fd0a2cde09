"""The consent app's system checks: the channels offered and the wording overrides."""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX
from oscar_loyalty.checks import _strings

from .wording import CHANNELS, PURPOSES


@register(Tags.compatibility)
def check_consent_settings(app_configs=None, **kwargs) -> list:
    errors: list = _strings("CONSENT_CHANNELS_OFFERED")
    unknown = [c for c in app_settings.CONSENT_CHANNELS_OFFERED if c not in CHANNELS]
    if unknown:
        errors.append(
            Error(
                f"{PREFIX}CONSENT_CHANNELS_OFFERED has unknown channels {unknown}; "
                f"use some of {sorted(CHANNELS)}.",
                id="oscar_loyalty.E_CONSENT_CHANNELS_OFFERED",
            )
        )
    wording = app_settings.CONSENT_WORDING
    if not isinstance(wording, dict):
        errors.append(
            Error(
                f'{PREFIX}CONSENT_WORDING must be a dict keyed by "purpose:channel".',
                id="oscar_loyalty.E_CONSENT_WORDING",
            )
        )
    else:
        for key, value in wording.items():
            purpose, _sep, channel = str(key).partition(":")
            if purpose not in PURPOSES or channel not in CHANNELS:
                errors.append(
                    Error(
                        f'{PREFIX}CONSENT_WORDING key {key!r} is not "purpose:channel" '
                        f"with purpose in {sorted(PURPOSES)} and channel in {sorted(CHANNELS)}.",
                        id="oscar_loyalty.E_CONSENT_WORDING",
                    )
                )
            elif not isinstance(value, dict) or not value.get("version") or not value.get("text"):
                errors.append(
                    Error(
                        f'{PREFIX}CONSENT_WORDING[{key!r}] needs both a "version" and a '
                        '"text": records store the version to prove what was shown.',
                        id="oscar_loyalty.E_CONSENT_WORDING",
                    )
                )
    return errors
