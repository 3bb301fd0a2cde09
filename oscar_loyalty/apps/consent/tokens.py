"""Signed, login-free tokens for unsubscribe and double opt-in links.

Signed with ``SECRET_KEY`` (``SECRET_KEY_FALLBACKS`` for rotation), not
encrypted: they carry the user's id, purpose, channel and the message they
came from, never an email address (a confirmation token carries the keyed
hash of the address it was mailed to, which binds it to that address).
Unsubscribe tokens have no expiry (mail clients POST the one-click URL long
after sending); confirmation tokens do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

UNSUBSCRIBE_SALT = "oscar_loyalty.consent.unsubscribe.v1"
CONFIRM_SALT = "oscar_loyalty.consent.confirm.v1"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 14  # two weeks


class InvalidToken(Exception):
    """Tampered, foreign (signed with another key), expired or malformed."""


@dataclass(frozen=True)
class TokenData:
    user_id: int
    purpose: str
    channel: str
    message: str
    #: Confirmation tokens: keyed hash of the address the link was mailed to
    #: (blank in tokens made before links were bound to an address).
    email_hash: str = ""


def _dump(data: TokenData, salt: str) -> str:
    payload = {"u": data.user_id, "p": data.purpose, "c": data.channel, "m": data.message}
    if data.email_hash:
        payload["e"] = data.email_hash
    return signing.dumps(payload, salt=salt, compress=True)


def _load(token: str, salt: str, max_age: int | None = None) -> TokenData:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
        return TokenData(
            user_id=int(payload["u"]),
            purpose=str(payload["p"]),
            channel=str(payload["c"]),
            message=str(payload.get("m", "")),
            email_hash=str(payload.get("e", "")),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc


def make_unsubscribe_token(
    user_id: int, *, message: str, purpose: str = "marketing", channel: str = "email"
) -> str:
    """A token for one recipient of one message.

    ``message`` names what the link came in: ``"campaign:12/outbox:345"``, ``"email:birthday"``.
    """
    return unsubscribe_token_maker(purpose=purpose, channel=channel)(user_id, message)


def unsubscribe_token_maker(*, purpose: str = "marketing", channel: str = "email"):
    """A function ``(user_id, message) -> token`` for a whole batch of recipients.

    The same tokens ``make_unsubscribe_token`` makes, from one signer and
    uncompressed (a payload this small does not shrink): Django's
    ``signing.dumps`` builds a signer per call and tries zlib, about half the
    cost of a recipient's unsubscribe links in a 100k newsletter.
    ``signing.loads`` reads both forms, so older compressed tokens stay valid.
    """
    signer = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)

    def make(user_id: int, message: str) -> str:
        payload = {"u": user_id, "p": purpose, "c": channel, "m": message}
        return signer.sign_object(payload, compress=False)

    return make


def read_unsubscribe_token(token: str) -> TokenData:
    return _load(token, UNSUBSCRIBE_SALT)


def make_confirm_token(
    user_id: int, *, record_id: int, purpose: str, channel: str, email_hash: str = ""
) -> str:
    """A double opt-in link for one pending record, bound to the address it is mailed to."""
    data = TokenData(user_id, purpose, channel, f"record:{record_id}", email_hash)
    return _dump(data, CONFIRM_SALT)


def read_confirm_token(token: str) -> TokenData:
    return _load(token, CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
