"""Short, signed product links for SMS and WhatsApp text, with click tracking (docs/sms.md).

In an SMS every character costs (70 per part once the text has a Hebrew
letter), so a product link in a message's text is ``{site}/club/c/<token>``
with a token of about 15 characters, instead of the product's own URL (a
Hebrew slug percent-encodes to six characters per letter).

The token names the outbox message and the product and is signed::

    base64url( varint(message id) · varint(product id) · tag )
    tag = HMAC-SHA256(key derived from SECRET_KEY and this module's salt, ids)[:6]

A 48-bit tag: forging a link for a message and product the attacker did not
receive means guessing it online, one request per guess (the view counts
failed tokens per client address, ``SHORT_LINKS_RATE_LIMIT``): 2⁴⁷ requests on
average, and what a forgery could do is mark one message clicked. The full
32-byte tag would double the link for no protection that matters here.
Decoding is strict: only the canonical base64url text of the bytes is
accepted, so no other spelling of a token (a flipped padding bit, an extra
character) is valid.

A click is recorded as the email channel records its provider's click
events (``tracking.apply_tracking_event``): the message's first click time,
once per message whatever the product, and a click confirms a message the
worker left ``sending``. The target is always the product's own page on the
store, reversed from the URLconf: a token cannot name another address.

``TRACK_CLICKS`` off (the default, like the email channel's provider click
tracking): ``short_link`` gives the product's plain URL, which names no
message, and a click on a link sent while it was on records nothing.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from datetime import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.crypto import salted_hmac

from oscar_loyalty import app_settings
from oscar_loyalty.mail import absolute_url

SALT = "oscar_loyalty.newsletter.short_link"
TAG_BYTES = 6
# The longest token two 63-bit ids give (9 bytes each as varints, and the tag).
TOKEN = re.compile(r"[A-Za-z0-9_-]{10,40}")
MARKER = "TOKEN"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, start: int) -> tuple[int, int]:
    value = shift = 0
    for index in range(start, min(len(data), start + 9)):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, index + 1
    raise ValueError("not a varint")


def _tag(payload: bytes, secret: str) -> bytes:
    return salted_hmac(SALT, payload, secret=secret, algorithm="sha256").digest()[:TAG_BYTES]


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_token(message_id: int, product_id: int) -> str:
    """The signed token naming ``message_id`` and ``product_id``."""
    if message_id < 1 or product_id < 1:
        raise ValueError("ids are positive")
    payload = _varint(message_id) + _varint(product_id)
    return _encode(payload + _tag(payload, settings.SECRET_KEY))


def read_token(token: str) -> tuple[int, int] | None:
    """``(message id, product id)`` of a valid token, else ``None`` (never raises).

    The tag is checked against ``SECRET_KEY`` and each of
    ``SECRET_KEY_FALLBACKS``, so links already sent survive a key rotation.
    """
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if _encode(data) != token:  # only the canonical spelling
        return None
    payload, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
    try:
        message_id, end = _read_varint(payload, 0)
        product_id, end = _read_varint(payload, end)
    except ValueError:
        return None
    if end != len(payload) or len(tag) != TAG_BYTES:
        return None
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(hmac.compare_digest(tag, _tag(payload, secret)) for secret in secrets):
        return None
    if message_id < 1 or product_id < 1:
        return None
    return message_id, product_id


def link_prefix() -> str:
    """What precedes the token: ``SHORT_LINK_PREFIX``, or the club's ``c/`` on the site."""
    if app_settings.SHORT_LINK_PREFIX:
        return app_settings.SHORT_LINK_PREFIX
    return absolute_url(reverse("loyalty:short-link", args=[MARKER])).replace(MARKER, "")


def short_link(message, product) -> str:
    """The link to ``product`` to put in ``message``'s text (an ``OutboxMessage``).

    Tracked and short when ``TRACK_CLICKS`` is on; else the product's plain URL.
    """
    if not app_settings.TRACK_CLICKS:
        return absolute_url(product.get_absolute_url())
    return link_prefix() + make_token(message.pk, product.pk)


#: A message id with a 4-byte varint (messages 2,097,152 to 268 million): the length
#: a preview shows is the longest a store of that size sends.
PREVIEW_MESSAGE_ID = 2**21


def preview_link(product) -> str:
    """A link of the length ``short_link`` will give, for previews and part counts.

    Before the fan-out no message exists: the token is a placeholder of the
    right length, not a valid token, so a preview cannot record a click.
    """
    if not app_settings.TRACK_CLICKS:
        return absolute_url(product.get_absolute_url())
    return link_prefix() + "x" * len(make_token(PREVIEW_MESSAGE_ID, product.pk))


def catalogue_path() -> str:
    try:
        return reverse("catalogue:index")
    except NoReverseMatch:
        return "/"


def follow(token: str, *, record: bool = True, now: datetime | None = None) -> tuple[str, bool]:
    """Where a click on ``token`` goes, and whether the token was valid.

    A valid token's click is recorded (``record`` and ``TRACK_CLICKS``); the
    target is the product's page, or the catalogue when the token is invalid
    or the product is gone or not public.
    """
    from oscar.core.loading import get_model

    ids = read_token(token)
    if ids is None:
        return catalogue_path(), False
    message_id, product_id = ids
    if record and app_settings.TRACK_CLICKS:
        from .tracking import apply_tracking_event

        apply_tracking_event(
            event_type="clicked", metadata={"outbox": str(message_id)}, message_id=None, now=now
        )
    Product = get_model("catalogue", "Product")
    product = Product.objects.filter(pk=product_id, is_public=True).first()
    return (product.get_absolute_url() if product else catalogue_path()), True
