"""Erasure ends and purges every session of the account, on every device.

A session is more than a sign-in: Oscar's checkout keeps the shipping name,
street and phone in it, and the referral and guest-order steps keep more. The
new password hash of an erased account already signs every session out on
its next request, but the data would stay in the session store (base64 JSON
in ``django_session``) until it expires. ``purge_sessions`` deletes them
through the configured ``SessionStore``:

* ``db`` and ``cached_db``: every stored session is decoded and the ones
  signed in as the user are deleted (database row and cache entry), including
  sessions from before this index existed;
* ``cache``: the sessions recorded at sign-in (``UserSession``) are deleted;
  a session created before the index existed cannot be found in a cache;
* ``signed_cookies``: the data is in the browser's cookie, out of reach; the
  session is signed out by the password hash, and the cookie dies with it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from .models import UserSession

logger = logging.getLogger(__name__)

#: Sessions decoded per database round trip while scanning.
SCAN_CHUNK = 2000


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def remember_session(sender, request, user, **kwargs) -> None:
    """Receiver of ``user_logged_in``: note the session key the account now uses."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) if session is not None else None
    if not key or user is None or user.pk is None:
        return
    try:
        UserSession.objects.update_or_create(
            session_key=key, defaults={"user": user, "created_at": timezone.now()}
        )
        # Sessions older than a cookie's life are gone from every store.
        stale = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        UserSession.objects.filter(user=user, created_at__lt=stale).delete()
    except Exception:  # never fail a sign-in over the index
        logger.exception("could not index the session of %s", user.pk)


def _scanned_keys(store_class, user_id: str) -> set[str]:
    """Keys of the database sessions signed in as ``user_id`` (db and cached_db engines)."""
    get_model = getattr(store_class, "get_model_class", None)
    if get_model is None:
        return set()
    decoder = store_class()
    keys = set()
    rows = get_model().objects.values_list("session_key", "session_data")
    for key, data in rows.iterator(chunk_size=SCAN_CHUNK):
        # A cheap test first: only a session whose decoded data names the
        # user counts, but most sessions are anonymous and fail fast.
        if str(decoder.decode(data).get(SESSION_KEY, "")) == user_id:
            keys.add(key)
    return keys


def purge_sessions(user) -> int:
    """Delete every session of ``user`` the session store can reach. Returns how many."""
    store_class = _store_class()
    user_id = str(user._meta.pk.value_to_string(user))
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    keys |= _scanned_keys(store_class, user_id)
    purged = 0
    for key in keys:
        store = store_class(session_key=key)
        if store.exists(key):
            store.delete(key)
            purged += 1
    UserSession.objects.filter(user=user).delete()
    return purged


def erase_sessions(subject) -> int:
    """Eraser (``registry``): runs after the account is anonymised."""
    return purge_sessions(subject.user)
