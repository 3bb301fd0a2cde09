"""Check that the built sdist and wheel carry the whole package.

    python install_check/dist_contents.py SOURCE_ROOT DIST_DIR

Every file of the source package (``oscar_loyalty/``: modules, migrations,
templates, static files, the translation catalogues and their compiled ``.mo``)
must be in the wheel and in the sdist, and the wheel must hold nothing else.
The wheel's requirements name plain ``django-oscar`` (no thumbnailer extra: the
store chooses its own). Standard library only. Exits non-zero naming what is wrong.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

KINDS = {
    "templates": lambda p: "/templates/" in p,
    "static": lambda p: "/static/" in p,
    "compiled catalogues (.mo)": lambda p: p.endswith(".mo"),
    "migrations": lambda p: "/migrations/" in p and p.endswith(".py"),
}


def source_files(root: Path) -> set[str]:
    package = root / "oscar_loyalty"
    return {
        path.relative_to(root).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def problems(root: Path, dist: Path) -> tuple[list[str], dict[str, int]]:
    wanted = source_files(root)
    (wheel_path,) = dist.glob("oscar_loyalty-*.whl")
    (sdist_path,) = dist.glob("oscar_loyalty-*.tar.gz")
    with zipfile.ZipFile(wheel_path) as wheel:
        in_wheel = {name for name in wheel.namelist() if name.startswith("oscar_loyalty/")}
        (metadata_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    with tarfile.open(sdist_path) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}

    found = []
    for label, missing in (
        ("missing from the wheel", wanted - in_wheel),
        ("missing from the sdist", wanted - in_sdist),
        ("in the wheel but not in the source package", in_wheel - wanted),
    ):
        if missing:
            found.append(f"{len(missing)} files {label}: {sorted(missing)[:10]}")
    counts = {kind: sum(map(test, in_wheel)) for kind, test in KINDS.items()}
    found += [f"the wheel holds no {kind}" for kind, count in counts.items() if not count]
    oscar = [
        requirement
        for requirement in metadata.get_all("Requires-Dist") or []
        if requirement.startswith("django-oscar") and "extra ==" not in requirement
    ]
    if not oscar or any("[" in requirement for requirement in oscar):
        found.append(f"the wheel must require plain django-oscar, it requires {oscar}")
    return found, counts


if __name__ == "__main__":
    root, dist = Path(sys.argv[1]), Path(sys.argv[2])
    found, counts = problems(root, dist)
    for problem in found:
        print(f"FAILED: {problem}", file=sys.stderr)
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    print(f"dist contents: {len(source_files(root))} package files in wheel and sdist ({summary})")
    sys.exit(1 if found else 0)
