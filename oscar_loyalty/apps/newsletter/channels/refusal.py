"""Is an inbound reply a refusal ("הסר", "STOP", "הסרה.", "ה֫סֵר!")?

A member who answers an advertisement with a refusal withdraws consent for
that channel (§30A(d)). People write it in many ways, so the reply is
normalised before it is compared with ``OSCAR_LOYALTY_SMS_REFUSAL_WORDS``:
Unicode NFKC, Hebrew points and cantillation marks and other combining marks
removed, bidi and zero-width controls removed, punctuation and symbols turned
into spaces, case folded, spaces collapsed. Hebrew final letters are kept (a
word's final letter is part of the word). Only a reply that *is* one of the
words counts: "אל תסירו אותי" contains no refusal word on its own and "stop
sending me the wrong size" is not a refusal either.
"""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or ""))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("M") or category == "Cf":  # nikud, cantillation; bidi marks
            continue
        if category.startswith(("P", "S", "Z", "C")):
            kept.append(" ")
            continue
        kept.append(char)
    text = unicodedata.normalize("NFKC", "".join(kept)).casefold()
    return " ".join(text.split())


def is_refusal(text: str, words: tuple[str, ...] | None = None) -> bool:
    if words is None:
        from oscar_loyalty import app_settings

        words = app_settings.SMS_REFUSAL_WORDS
    return normalise(text) in {normalise(word) for word in words}
