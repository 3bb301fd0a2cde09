from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.models_base import AppendOnlyModel


class ErasureRequest(AppendOnlyModel):
    """The log of one completed erasure, holding no personal data.

    Written in the erasure's own transaction, so a log row means the erasure
    happened in full. It names the member only by keyed hashes (of the member
    number and of the old address, the same HMAC the suppression list uses):
    staff can answer "was I erased?" for someone who gives their number or
    address, but the log names nobody by itself.
    """

    MEMBER, STAFF = "member", "staff"
    SOURCE_CHOICES = [(MEMBER, _("The member, from their account")), (STAFF, _("Staff"))]

    source = models.CharField(_("asked by"), max_length=16, choices=SOURCE_CHOICES)
    # SET_NULL: the log outlives the staff account that acted.
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
    )
    member_hash = models.CharField(_("member number hash"), max_length=64, blank=True)
    email_hash = models.CharField(_("email hash"), max_length=64, blank=True, db_index=True)
    #: Rows changed per section, e.g. ``{"addresses": 2, "points": 1}``: numbers only.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-created_at", "-pk"]
        permissions = [("export_member_data", _("Can download a customer's personal data"))]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.created_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """Which session keys an account signed in with: how an erasure finds them all.

    Written at each sign-in (``sessions.remember_session``). The database
    session backends are also scanned at erasure, so this index is what
    reaches a session that lives only in a cache (``backends.cache``); see
    ``sessions.purge_sessions``. It holds a key and an account id, nothing else.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
