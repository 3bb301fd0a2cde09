"""The README's installation blocks, extracted literally.

The README marks each block with HTML comments that are also the section
markers of the docs' snippets extension (docs/quickstart.md includes the very
same blocks with ``--8<-- "README.md:install-core-settings"``)::

    <!-- --8<-- [start:install-core-settings] -->
    ```python
    ...
    ```
    <!-- --8<-- [end:install-core-settings] -->

``install_check/run.sh`` appends exactly these to a stock store's files, and
``tests/core/test_install_blocks.py`` checks them on every ``make test``, so the
README is the thing tested. Standard library only: it runs in the fresh venv.

    python install_check/readme_blocks.py README.md core settings
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CONFIGURATIONS = ("core", "newsletter", "full")
PARTS = ("settings", "urls")

_BLOCK = re.compile(
    r"<!-- --8<-- \[start:install-(?P<config>[a-z]+)-(?P<part>[a-z]+)\] -->\s*"
    r"```python\n(?P<code>.*?)```\s*"
    r"<!-- --8<-- \[end:install-(?P=config)-(?P=part)\] -->",
    re.DOTALL,
)
_START = re.compile(r"<!-- --8<-- \[start:install-([a-z]+)-([a-z]+)\] -->")


def blocks(text: str) -> dict[tuple[str, str], str]:
    """Every marked block, keyed by (configuration, part); a duplicate is an error."""
    found: dict[tuple[str, str], str] = {}
    for match in _BLOCK.finditer(text):
        key = (match["config"], match["part"])
        if key in found:
            raise ValueError(f"the README marks install-{key[0]}-{key[1]} twice")
        found[key] = match["code"]
    unclosed = set(_START.findall(text)) - set(found)
    if unclosed:
        raise ValueError(f"markers without a python block or a closing marker: {sorted(unclosed)}")
    return found


def block(text: str, config: str, part: str) -> str:
    try:
        return blocks(text)[(config, part)]
    except KeyError:
        raise KeyError(f"the README has no block install-{config}-{part}") from None


if __name__ == "__main__":
    readme, config, part = sys.argv[1:4]
    sys.stdout.write(block(Path(readme).read_text(encoding="utf-8"), config, part))
