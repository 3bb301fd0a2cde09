"""Building blocks shared by the add-on's models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes, which bypass ``Model.save``/``delete``."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} records cannot be changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} records cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A record that is written once and never changed or deleted.

    Audit trails (consent, tier history, the points ledger) rely on this: a
    record that could be edited proves nothing. Corrections are new records.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} records cannot be deleted.")


class StaffTranslations(models.Model):
    """Text staff write (a plan's name, a tier's name) with a version per language.

    The model's own fields hold the text in the store's language
    (``LANGUAGE_CODE``); ``translations`` holds the others,
    ``{"he": {"name": "...", "description": "..."}}``. Pages and emails read
    ``translated(field)``, which gives the active language's text, else the
    field itself: a missing translation shows the store's text, never nothing.
    """

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    #: The fields that have a version per language.
    translated_fields: tuple[str, ...] = ("name",)

    class Meta:
        abstract = True

    def translated(self, field: str, language: str | None = None) -> str:
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        versions = self.translations if isinstance(self.translations, dict) else {}
        for code in (language, language.split("-")[0]):
            value = (versions.get(code) or {}).get(field)
            if value:
                return value
        return getattr(self, field)

    @property
    def display_name(self) -> str:
        """The name in the active language (templates and emails show this)."""
        return self.translated("name")
