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
