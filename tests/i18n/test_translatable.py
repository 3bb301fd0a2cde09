"""Every word a shopper, a member or staff reads comes through gettext.

A guard over the add-on's templates: text left outside ``{% translate %}`` /
``{% blocktranslate %}`` would stay English on a Hebrew page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "oscar_loyalty"
TEMPLATES = sorted(
    path
    for pattern in (
        "templates/**/*.html",
        "templates/**/*.txt",
        "apps/*/templates/**/*.html",
        "apps/*/templates/**/*.txt",
    )
    for path in PACKAGE.glob(pattern)
)

# Removed before looking for words, in this order.
NOT_TEXT = [
    re.compile(r"{% *comment *%}.*?{% *endcomment *%}", re.S),
    re.compile(
        r"{% *(blocktrans|blocktranslate)\b.*?{% *(endblocktrans|endblocktranslate) *%}", re.S
    ),
    re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"{{.*?}}", re.S),
    HTML_TAG := re.compile(r"<[^>]*>", re.S),
    re.compile(r"&[#a-z0-9]+;", re.I),
]
WORD = re.compile(r"[A-Za-z]{2,}")
# Attributes a person reads (or hears from a screen reader).
READ_ATTRIBUTES = re.compile(r'\b(title|alt|placeholder|aria-label)="([^"]*)"', re.I)


def visible_words(source: str) -> list[str]:
    """Words outside translate tags: in the text, and in attributes people read."""
    tags = NOT_TEXT.index(HTML_TAG)
    for pattern in NOT_TEXT[:tags]:
        source = pattern.sub(" ", source)
    # Template tags are gone, so quotes inside {% translate "..." %} no longer
    # cut an attribute short.
    attributes = " ".join(value for _name, value in READ_ATTRIBUTES.findall(source))
    for pattern in NOT_TEXT[tags:]:
        source = pattern.sub(" ", source)
    return WORD.findall(source) + WORD.findall(attributes)


def test_the_guard_finds_words_outside_translate_tags():
    sample = (
        '{% load i18n %}<p title="Hint">{% trans "Fine" %} Points: {{ n }}</p>'
        '<img alt="{% trans "Fine" %}">{% blocktrans %}Also fine{% endblocktrans %}'
        "<script>var ok;</script>"
    )
    assert visible_words(sample) == ["Points", "Hint"]


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 40


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_template_has_no_text_outside_translate_tags(path):
    assert visible_words(path.read_text(encoding="utf-8")) == []
