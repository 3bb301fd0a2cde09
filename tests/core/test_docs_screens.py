"""The docs' screenshots: every image a page names exists (``make docs`` is strict)."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def images_named_in(page: Path) -> list[str]:
    return IMAGE.findall(page.read_text(encoding="utf-8"))


def test_every_image_the_screens_page_shows_exists():
    named = images_named_in(DOCS / "screens.md")
    assert named, "docs/screens.md shows no image"
    missing = [path for path in named if not (DOCS / path).is_file()]
    assert not missing, f"docs/screens.md names images that do not exist: {missing}"


def test_every_screenshot_named_anywhere_in_the_docs_exists():
    missing = [
        f"{page.name}: {path}"
        for page in DOCS.glob("*.md")
        for path in images_named_in(page)
        if "img/screens/" in path and not (page.parent / path).is_file()
    ]
    assert not missing, missing


def test_the_screens_page_is_in_the_sites_navigation():
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*- Screens: screens\.md$", nav, re.M)
