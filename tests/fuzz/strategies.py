"""Hypothesis strategies for hostile HTTP input: any text, any length, NULs, surrogates.

Everything is turned into bytes here (``surrogatepass``: a lone surrogate
becomes the invalid UTF-8 a broken client would send), so that Django's test
client, which encodes text as UTF-8, never chokes before the view is reached.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from hypothesis import strategies as st

# Every code point, surrogates (category Cs) included, with the characters that
# break things mixed in often (uniformly drawn, a surrogate would be rare).
TROUBLE = ["\x00", "\udcff", "\ud800", "\n", "\r", "\u202e", "\ufeff", "²", "١", "５", "%"]
any_char = st.one_of(st.characters(codec=None, categories=None), st.sampled_from(TROUBLE))
short_text = st.text(any_char, max_size=30)
# A few kilobytes up to 100 000 characters: one character repeated, cheap to make.
long_text = st.builds(lambda ch, n: ch * n, any_char, st.integers(1_000, 100_000))
# The request line (path and query) that reaches Django is capped by the server in
# front of it: gunicorn refuses one over 4 094 bytes, nginx over 8 KB, uWSGI over
# 4 KB. Path parameters go up to 8 000 characters (percent-encoded, several times
# that), past every such limit. Longer, Django's own ``repercent_broken_unicode``
# (which every request's path goes through) takes time quadratic in the number of
# broken bytes: 0.4 s for a 100 000-character path, before any view of ours runs
# (and again in Wagtail's redirect middleware, on the full path of every 404).
# Query strings are in the request line too; bodies and headers keep 100 000.
PATH_LIMIT = 8_000
long_path_text = st.builds(lambda ch, n: ch * n, any_char, st.integers(1_000, PATH_LIMIT))
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 40,
    "0.001",
    "10.00",
    "-5",
    "\x00",
    "a\x00b",
    "\udcff",
    "\ud800",
    "²",
    "١٢٣٤",
    "１２３",
    "🎉",
    "\u202e",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "%",
    "2024-02-30",
    "2024-01-01",
    "true",
    "null",
    "[]",
    "{}",
]


def texts(*seeds: str, long: st.SearchStrategy[str] = long_text) -> st.SearchStrategy[str]:
    """Any text, biased towards edge cases and the world's real values (``seeds``)."""
    return st.one_of(
        short_text,
        st.sampled_from(NASTY),
        long,
        *([st.sampled_from(seeds)] if seeds else []),
    )


def path_texts(*seeds: str) -> st.SearchStrategy[str]:
    """Like ``texts``, no longer than a request line a server in front passes on.

    For path parameters and query strings (the request line)."""
    return texts(*seeds, long=long_path_text)


def to_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def as_wsgi_header(text: str) -> str:
    """What a WSGI server puts in ``environ`` for this header: its UTF-8 bytes read as
    Latin-1 (PEP 3333). Django's test client passes header values through as given,
    and text outside Latin-1 would make ``request.COOKIES`` raise in the test client
    itself, before any view runs."""
    return to_bytes(text).decode("latin-1")


def urlencode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(
        f"{quote(to_bytes(key), safe='')}={quote(to_bytes(value), safe='')}"
        for key, value in pairs
    )


def pairs(
    names: list[str], seeds: list[str], *, in_request_line: bool = False
) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Form or query fields: the page's real field names, random names, repeated names.

    ``in_request_line``: a query string, whose values are capped like a path's.
    """
    name = st.one_of(st.sampled_from(names), short_text) if names else short_text
    value = path_texts(*seeds) if in_request_line else texts(*seeds)
    return st.lists(st.tuples(name, value), max_size=8)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    texts(),
)


# Values that pass the partner API's own checks, so that a drawn body can be a
# complete, fresh request (a new idempotency key, a real amount) whose *other*
# fields are hostile.
plausible = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.:-]{8,24}", fullmatch=True),
    st.integers(min_value=1, max_value=100_000).map(lambda cents: f"{cents / 100:.2f}"),
    st.integers(min_value=1, max_value=2_000),
)


def json_values(seeds: list[str]) -> st.SearchStrategy:
    leaf = st.one_of(json_scalars, plausible, *([st.sampled_from(seeds)] if seeds else []))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(short_text, inner, max_size=4)
        ),
        max_leaves=8,
    )


def json_objects(names: list[str], seeds: list[str]) -> st.SearchStrategy[dict]:
    key = st.one_of(st.sampled_from(names), short_text) if names else short_text
    return st.dictionaries(key, json_values(seeds), max_size=8)


def json_body(value) -> bytes:
    # ensure_ascii: a lone surrogate is written as a \\udXXX escape, which
    # json.loads turns back into the surrogate on the server side.
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


raw_bodies = st.one_of(
    st.binary(max_size=200), st.builds(to_bytes, texts()), st.just(b"\xff\xfe\x00")
)

header_values = st.builds(as_wsgi_header, texts())


@st.composite
def partner_bodies(draw, cards: list[str]) -> dict:
    """A partner API body where each field is usually valid (a real card, a fresh key, a
    real amount) and the rest is anything: complete requests with one hostile field."""

    def usually(valid):
        # Three times in four the valid value (one_of would not weight it so).
        return st.integers(0, 3).flatmap(lambda n: json_values([]) if n == 0 else valid)

    body = draw(
        st.fixed_dictionaries(
            {
                "card": usually(st.sampled_from(cards)),
                "amount": usually(st.integers(1, 100_000).map(lambda cents: f"{cents / 100:.2f}")),
                "points": usually(st.integers(1, 2_000)),
                "reference": st.one_of(short_text, st.sampled_from(NASTY)),
                "idempotency_key": usually(
                    st.from_regex(r"[A-Za-z0-9_.:-]{8,24}", fullmatch=True)
                ),
            },
            optional={"qr": usually(st.sampled_from(cards)), "extra": json_values([])},
        )
    )
    for name in draw(st.lists(st.sampled_from(sorted(body)), max_size=2, unique=True)):
        del body[name]
    return body
