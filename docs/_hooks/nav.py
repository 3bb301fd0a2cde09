"""MkDocs hook: a nav that tolerates pages being added or removed.

Several pages are written by different people at different times. Strict
builds fail on a nav entry whose file is missing, so such entries are dropped
here; pages that exist but are not in the nav are added under "More" so that
nothing is published without a way to reach it.
"""

from __future__ import annotations

from pathlib import Path


def _prune(items, docs: Path, seen: set[str]):
    kept = []
    for item in items:
        if isinstance(item, str):
            if (docs / item).exists():
                kept.append(item)
                seen.add(item)
            continue
        ((title, target),) = item.items()
        if isinstance(target, list):
            children = _prune(target, docs, seen)
            if children:
                kept.append({title: children})
        elif target.startswith(("http://", "https://")) or (docs / target).exists():
            kept.append(item)
            seen.add(target)
    return kept


def on_config(config):
    docs = Path(config["docs_dir"])
    if not config["nav"]:
        return config
    seen: set[str] = set()
    nav = _prune(config["nav"], docs, seen)
    extra = sorted(
        str(path.relative_to(docs))
        for path in docs.rglob("*.md")
        if not path.relative_to(docs).parts[0].startswith("_")
    )
    missing = [page for page in extra if page not in seen]
    if missing:
        nav.append({"More": missing})
    config["nav"] = nav
    return config
