"""The newsletter sending settings (``OSCAR_LOYALTY_NEWSLETTER_*``, ESP batches, merge
fields), mixed into ``app_settings``.

Documented in ``docs/settings.md``.
"""

from __future__ import annotations


class NewsletterSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def ESP_BATCH_LIMITS(self) -> dict[str, int]:
        """Recipients per batch call, per ESP (Anymail ``esp_name``, lower case)."""
        defaults = {
            "mailgun": 1000,
            "sendgrid": 1000,
            "postmark": 500,
            "amazon_ses": 50,
            "brevo": 1000,
            "sendinblue": 1000,
            "mailjet": 50,
            "resend": 100,
            "sparkpost": 2000,
            "test": 500,
        }
        return {**defaults, **self._setting("ESP_BATCH_LIMITS", {})}

    @property
    def NEWSLETTER_BATCH_SIZE(self) -> int | None:
        """Fixed recipients per batch; ``None``: the ESP's limit from ``ESP_BATCH_LIMITS``."""
        return self._setting("NEWSLETTER_BATCH_SIZE", None)

    @property
    def MERGE_FIELD_FORMAT(self) -> str | None:
        """How a merge field is written for the ESP, e.g. ``"%recipient.{}%"`` (Mailgun).

        ``None``: chosen from the ESP's name (see ``docs/newsletter.md``).
        """
        return self._setting("MERGE_FIELD_FORMAT", None)

    @property
    def NEWSLETTER_LEASE_SECONDS(self) -> int:
        """How long a worker holds a claimed chunk before another may take it over."""
        return self._setting("NEWSLETTER_LEASE_SECONDS", 600)

    @property
    def NEWSLETTER_MAX_ATTEMPTS(self) -> int:
        """Attempts for a transient ESP error before a message is marked failed."""
        return self._setting("NEWSLETTER_MAX_ATTEMPTS", 5)

    @property
    def NEWSLETTER_RETRY_SECONDS(self) -> int:
        """First retry delay; it doubles with each attempt."""
        return self._setting("NEWSLETTER_RETRY_SECONDS", 60)

    @property
    def NEWSLETTER_UNCONFIRMED_HOURS(self) -> int:
        """No longer used: a message handed to the ESP without an answer is
        resent after the lease unless the ESP's events confirm it."""
        return self._setting("NEWSLETTER_UNCONFIRMED_HOURS", 24)

    @property
    def NEWSLETTER_WATCH_SECONDS(self) -> int:
        """Delay of the follow-up task queued while a campaign is unfinished."""
        return self._setting("NEWSLETTER_WATCH_SECONDS", 60)


class ChannelSettings:
    """SMS and WhatsApp (``docs/sms.md``)."""

    @property
    def SMS_BACKEND(self) -> str | dict:
        """The SMS provider: a dotted path or ``{"BACKEND": …, "OPTIONS": {…}}``."""
        return self._setting(
            "SMS_BACKEND", "oscar_loyalty.apps.newsletter.channels.test.TestBackend"
        )

    @property
    def WHATSAPP_BACKEND(self) -> str | dict:
        """The WhatsApp provider, as ``SMS_BACKEND``."""
        return self._setting(
            "WHATSAPP_BACKEND", "oscar_loyalty.apps.newsletter.channels.test.TestBackend"
        )

    @property
    def SMS_SENDER_NAME(self) -> str:
        """The store's name in every advertising SMS (§30A(e)(2)); empty: the Site's name."""
        return self._setting("SMS_SENDER_NAME", "")

    @property
    def SMS_REFUSAL_TEXT(self) -> str:
        """The refusal instruction that ends every advertising SMS (§30A(d), (e)(2))."""
        return self._setting("SMS_REFUSAL_TEXT", "להסרה השב הסר")

    @property
    def SMS_REFUSAL_WORDS(self) -> tuple[str, ...]:
        """Replies that withdraw consent, compared after normalising (``channels.refusal``)."""
        return tuple(
            self._setting(
                "SMS_REFUSAL_WORDS",
                ("הסר", "הסרה", "להסיר", "הסירו", "הסר אותי", "stop", "unsubscribe", "remove"),
            )
        )

    @property
    def SMS_PRICE_PER_PART(self) -> str | dict[str, str]:
        """Price of one SMS part for the cost estimate: a Decimal (or its string), or a
        dict by the backend's ``name`` (``"default"`` for the others). Empty: no price."""
        return self._setting("SMS_PRICE_PER_PART", {})

    @property
    def QUIET_HOURS(self) -> tuple[str, str] | None:
        """No SMS/WhatsApp ads from the first time to the second (``None``: never)."""
        value = self._setting("QUIET_HOURS", ("20:00", "08:00"))
        return tuple(value) if value else None

    @property
    def QUIET_SHABBAT(self) -> bool:
        """No advertising from Friday at ``QUIET_SHABBAT_START`` to Saturday night."""
        return self._setting("QUIET_SHABBAT", True)

    @property
    def QUIET_SHABBAT_START(self) -> str:
        return self._setting("QUIET_SHABBAT_START", "14:00")

    @property
    def QUIET_SHABBAT_END(self) -> str:
        """Saturday's time after which sending may resume (after nightfall)."""
        return self._setting("QUIET_SHABBAT_END", "20:00")

    @property
    def QUIET_DATES(self) -> tuple[str, ...]:
        """ISO dates (holidays) without advertising; empty: the ``holidays`` package's."""
        return tuple(self._setting("QUIET_DATES", ()))

    @property
    def QUIET_TIME_ZONE(self) -> str:
        """Time zone of quiet hours for a number whose country has several (or none)."""
        return self._setting("QUIET_TIME_ZONE", "Asia/Jerusalem")


class NoticeSettings:
    """Member notices by SMS and WhatsApp (``docs/sms.md``, "Member notices")."""

    @property
    def NOTICE_URGENT_TYPES(self) -> tuple[str, ...]:
        """Service notice types sent at once, even in quiet hours; the rest wait for morning."""
        return tuple(self._setting("NOTICE_URGENT_TYPES", ()))

    @property
    def WHATSAPP_NOTICE_TEMPLATES(self) -> dict[str, str]:
        """``{notice type: approved WhatsApp template}``; a type without one goes by email.

        WhatsApp lets a business start a conversation only with an approved
        template; the notice's text is the template's first body parameter.
        """
        return dict(self._setting("WHATSAPP_NOTICE_TEMPLATES", {}) or {})


class LinkSettings:
    """Click tracking and short links (``docs/sms.md``, "Short links")."""

    @property
    def TRACK_CLICKS(self) -> bool:
        """Track clicks: the email provider's click tracking, and short signed links in SMS.

        Off by default (privacy by default, GDPR art. 25): email links go
        untracked and SMS/WhatsApp text carries the product's plain URL.
        """
        return bool(self._setting("TRACK_CLICKS", False))

    @property
    def SHORT_LINK_PREFIX(self) -> str:
        """What precedes a short link's token; empty: the site's ``/club/c/``."""
        return self._setting("SHORT_LINK_PREFIX", "") or ""

    @property
    def SHORT_LINKS_RATE_LIMIT(self) -> tuple[int, int]:
        """Invalid short-link tokens per client address (attempts, seconds)."""
        value = self._setting("SHORT_LINKS_RATE_LIMIT", (60, 600))
        return (int(value[0]), int(value[1]))
