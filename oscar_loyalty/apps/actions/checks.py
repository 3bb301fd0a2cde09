"""System checks for the actions settings; each message names the exact setting."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.checks import Error, Tags, register
from django.core.exceptions import FieldDoesNotExist

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX
from oscar_loyalty.checks import _int_between


@register(Tags.compatibility)
def check_actions_settings(app_configs=None, **kwargs) -> list:
    from oscar_loyalty.apps.membership.models import Member

    errors: list = _int_between("ACTIONS_CATCH_UP_DAYS", 1, 3650)
    fields = app_settings.ACTIONS_PROFILE_FIELDS
    if not fields:
        errors.append(
            Error(
                f"{PREFIX}ACTIONS_PROFILE_FIELDS is empty: every profile would be complete.",
                id="oscar_loyalty.E_ACTIONS_PROFILE_FIELDS",
            )
        )
    for name in fields:
        model, field = (get_user_model(), name[5:]) if name.startswith("user.") else (Member, name)
        try:
            model._meta.get_field(field)
        except FieldDoesNotExist:
            errors.append(
                Error(
                    f"{PREFIX}ACTIONS_PROFILE_FIELDS names {name!r}, which "
                    f"{model._meta.label} does not have.",
                    id="oscar_loyalty.E_ACTIONS_PROFILE_FIELDS",
                )
            )
    return errors
