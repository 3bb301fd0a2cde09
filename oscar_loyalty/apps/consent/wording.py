"""The exact consent wording shown to members, with a version per text.

A consent record stores the version *and* the text the member saw, so the
store can prove what was agreed to even after the wording changes. Stores
change a text through ``OSCAR_LOYALTY_CONSENT_WORDING`` and must give it a
new version at the same time (the system check warns when a text is
overridden without a version).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from oscar_loyalty import app_settings

MARKETING = "marketing"
PURPOSES = {MARKETING: _("Marketing messages (advertising)")}

CHANNELS = {
    "email": _("Email"),
    "sms": _("SMS"),
    "whatsapp": _("WhatsApp"),
    "post": _("Post"),
    "phone": _("Phone"),
}

DEFAULT_VERSION = "2026-11-1"

# Israel's Communications Law §30A asks for explicit, specific consent to
# receive advertising; the wording names the channel and says it is advertising
# and that withdrawal is possible at any time.
_DEFAULT_TEXTS = {
    "email": _(
        "I agree to receive advertising from the store by email "
        "(club offers, newsletters). I can withdraw at any time."
    ),
    "sms": _("I agree to receive advertising from the store by SMS. I can withdraw at any time."),
    "whatsapp": _(
        "I agree to receive advertising from the store on WhatsApp. I can withdraw at any time."
    ),
    "post": _(
        "I agree to receive advertising from the store by post. I can withdraw at any time."
    ),
    "phone": _(
        "I agree to receive advertising from the store by phone. I can withdraw at any time."
    ),
}


@dataclass(frozen=True)
class Wording:
    purpose: str
    channel: str
    version: str
    text: str

    @property
    def key(self) -> str:
        return f"{self.purpose}:{self.channel}"


def get_wording(purpose: str, channel: str) -> Wording:
    """The wording currently shown for ``purpose`` on ``channel``, in the active language."""
    from oscar_loyalty.exceptions import UnknownConsentPurpose

    if purpose not in PURPOSES or channel not in CHANNELS:
        raise UnknownConsentPurpose(purpose=purpose, channel=channel)
    override = app_settings.CONSENT_WORDING.get(f"{purpose}:{channel}")
    if override:
        return Wording(purpose, channel, str(override["version"]), str(override["text"]))
    return Wording(purpose, channel, DEFAULT_VERSION, str(_DEFAULT_TEXTS[channel]))


def confirm_shown(purpose: str, channel: str, *, version: str, text: str) -> Wording:
    """The current wording, if it is exactly the ``version`` and ``text`` a client says it showed.

    An API client shows the wording it was given and echoes it back with the
    consent; the record then keeps that wording (as a form's label is what its
    record keeps). A wording changed since, or altered by the client, raises
    ``ConsentWordingChanged``: the consent was not given to the current text.
    """
    from oscar_loyalty.exceptions import ConsentWordingChanged

    current = get_wording(purpose, channel)
    if (version, text) != (current.version, current.text):
        raise ConsentWordingChanged(purpose=purpose, channel=channel)
    return current
