"""The Hebrew catalogue is complete, compiled, and used by the real pages."""

import ast
import gettext
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from oscar.test.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "oscar_loyalty" / "locale" / "he" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"


def read_po(path):
    """A small .po reader: a list of entries with flags, msgid(s) and msgstr(s)."""
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "strings": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry["strings"][key] += ast.literal_eval(line)
        else:
            key, value = line.split(" ", 1)
            entry["strings"][key] = ast.literal_eval(value)
    return entries


def messages():
    return [entry for entry in read_po(PO) if entry["strings"].get("msgid")]


def test_the_hebrew_catalogue_has_no_untranslated_or_fuzzy_messages():
    entries = messages()
    assert len(entries) > 500
    untranslated = [
        entry["strings"]["msgid"]
        for entry in entries
        if any(not value for key, value in entry["strings"].items() if key.startswith("msgstr"))
    ]
    fuzzy = [entry["strings"]["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_the_hebrew_header_declares_the_language_and_two_plural_forms():
    header = read_po(PO)[0]["strings"]["msgstr"]
    assert "Language: he\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "Project-Id-Version: oscar-loyalty" in header


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in messages():
        strings = entry["strings"]
        if "msgid_plural" in strings:
            assert (
                compiled.ngettext(strings["msgid"], strings["msgid_plural"], 1)
                == (strings["msgstr[0]"])
            )
            assert (
                compiled.ngettext(strings["msgid"], strings["msgid_plural"], 5)
                == (strings["msgstr[1]"])
            )
        else:
            assert compiled.gettext(strings["msgid"]) == strings["msgstr"]


def test_django_translates_key_strings_into_hebrew():
    with translation.override("he"):
        assert translation.gettext("Join the club") == "הצטרפות למועדון"
        assert translation.gettext("Customer club") == "מועדון לקוחות"
        assert translation.gettext("This is an advertisement.") == "זוהי פרסומת."
        assert translation.ngettext("%(points)s point", "%(points)s points", 3) == (
            "%(points)s נקודות"
        )


def test_the_join_page_speaks_hebrew_to_a_hebrew_browser(client, free_plan):
    response = client.get(reverse("loyalty:join"), HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="he"' in page
    assert "הצטרפות למועדון" in page
    assert "מועדון לקוחות" in page
    assert "חברות חינם" in page
    assert "Join the club" not in page


def test_the_join_page_follows_the_language_cookie_for_a_signed_in_customer(client, free_plan):
    client.force_login(UserFactory())
    client.cookies["django_language"] = "he"
    page = client.get(reverse("loyalty:join")).content.decode()
    assert "הצטרפות למועדון" in page
    assert "אפשר לבטל בכל עת" in page
