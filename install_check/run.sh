#!/usr/bin/env bash
# The install check: the README's "Add it to your store", followed by a script.
#
#   install_check/run.sh [core] [newsletter] [full]      (default: all three)
#
# 1. Builds the sdist and the wheel (python -m build) from a clean copy of the
#    source (tracked and new files; no stale egg-info), checks them with
#    `twine check --strict`, and checks that they carry every module, migration,
#    template, static file and compiled catalogue (install_check/dist_contents.py).
# 2. Creates a fresh virtualenv (python3 -m venv) and installs, as a store would,
#    django-oscar 4.2 with the thumbnailer of Oscar's tutorial (while the build
#    runs), then the built wheel with all its extras. Nothing of this checkout is
#    importable there.
# 3. For each configuration: copies the stock Oscar store (install_check/store/,
#    made by Oscar's "Building your own shop"), appends the README's marked
#    blocks for it to settings.py and urls.py, runs `check`, `makemigrations
#    --check` for the club's apps, `migrate` on a fresh SQLite database, then
#    install_check/walk.py: join -> basket -> apply points -> order through
#    Oscar's checkout -> db_worker -> points earned and spent. The three
#    configurations run side by side; each has its own log.
#
# Needs only Python >= 3.11 (PYTHON, default python3) and pip's access to the
# package index. Work files: var/install-check/ (INSTALL_CHECK_DIR). Exits
# non-zero on any failure; the last line is the summary.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${INSTALL_CHECK_DIR:-$root/var/install-check}"
python="${PYTHON:-python3}"
configs=("$@")
[ "${#configs[@]}" -gt 0 ] || configs=(core newsletter full)
started=$(date +%s)
last=$started
lap() {
    local now
    now=$(date +%s)
    printf '=== %-60s %4ss (total %ss)\n' "$1" "$((now - last))" "$((now - started))"
    last=$now
}
fail() {
    echo "$*" >&2
    echo "install check: FAILED after $(($(date +%s) - started))s ($*)"
    exit 1
}
unset PYTHONPATH DJANGO_SETTINGS_MODULE
# A failure stops what this script started in the background, by process id.
trap 'jobs -p | xargs -r kill 2>/dev/null' EXIT
case "$work" in /|"$root"|"$HOME") fail "INSTALL_CHECK_DIR=$work would be emptied" ;; esac

rm -rf "$work"
mkdir -p "$work/src" "$work/dist"

# A clean copy of the source: what a fresh clone would hold (plus new, unignored files).
"$python" - "$root" "$work/src" <<'PY'
import shutil, subprocess, sys
from pathlib import Path
root, dest = Path(sys.argv[1]), Path(sys.argv[2])
if (root / ".git").exists():
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True,
    ).stdout.decode().split("\0")
    files = [name for name in listed if name and (root / name).is_file()]
else:
    skip = {".git", ".venv", "var", "build", "dist", "__pycache__"}
    files = [
        str(path.relative_to(root)) for path in root.rglob("*")
        if path.is_file() and not skip & set(path.relative_to(root).parts)
        and not any(part.endswith(".egg-info") for part in path.parts)
    ]
for name in files:
    (dest / name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / name, dest / name)
PY

# The store's fresh venv and Oscar install meanwhile, in the background (two cores).
# --no-compile: Python compiles what the store imports, not every module of Wagtail.
(
    "$python" -m venv "$work/venv" &&
        "$work/venv/bin/python" -m pip install --quiet --no-compile \
            "django-oscar[sorl-thumbnail]==4.2.*"
) >"$work/pip-store.log" 2>&1 &
store_venv=$!

# The build tools in a venv of their own; the build runs in it (--no-isolation) with
# the build requirements of pyproject.toml installed there once, not twice per build.
"$python" -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet build twine "setuptools>=68" wheel \
    >"$work/pip-tools.log" 2>&1 || { tail -40 "$work/pip-tools.log"; fail "pip install build twine"; }
lap "tools venv (build, twine, setuptools)"

"$work/tools/bin/python" -m build --no-isolation --outdir "$work/dist" "$work/src" \
    >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "python -m build"; }
"$work/tools/bin/twine" check --strict "$work/dist/"* || fail "twine check"
"$python" "$root/install_check/dist_contents.py" "$work/src" "$work/dist" || fail "dist contents"
wheel=$(ls "$work/dist/"oscar_loyalty-*.whl)
lap "python -m build (sdist, then the wheel from it), twine check, dist contents"

wait "$store_venv" || { tail -40 "$work/pip-store.log"; fail "fresh venv with django-oscar 4.2"; }
"$work/venv/bin/python" -m pip install --quiet --no-compile "${wheel}[newsletter,amazon-ses,rq]" \
    >>"$work/pip-store.log" 2>&1 || { tail -40 "$work/pip-store.log"; fail "pip install the wheel"; }
"$work/venv/bin/python" -m pip check || fail "pip check"
(cd "$work" && "$work/venv/bin/python" -c '
import sys, oscar_loyalty
assert oscar_loyalty.__file__.startswith(sys.prefix), oscar_loyalty.__file__
print("oscar_loyalty imported from", oscar_loyalty.__file__)') || fail "the add-on is not the installed wheel"
lap "fresh venv: django-oscar 4.2, then the wheel with its extras"

run_config() {
    local config=$1 store="$work/store-$1" py="$work/venv/bin/python"
    local t0 labels
    t0=$(date +%s)
    cp -r "$root/install_check/store" "$store"
    cp "$root/install_check/walk.py" "$store/walk.py"
    for part in settings urls; do
        { printf '\n\n# --- appended from README.md (install-%s-%s) ---\n' "$config" "$part"
          "$py" "$root/install_check/readme_blocks.py" "$root/README.md" "$config" "$part"
        } >>"$store/frobshop/$part.py"
    done
    cd "$store"
    "$py" manage.py check --fail-level WARNING
    labels=$("$py" manage.py shell -v 0 -c '
from django.apps import apps
print(" ".join(c.label for c in apps.get_app_configs() if c.name.startswith("oscar_loyalty.apps")))')
    # shellcheck disable=SC2086  # one argument per app label
    "$py" manage.py makemigrations --check --dry-run $labels
    "$py" manage.py migrate --noinput -v 1 | tail -1
    echo "check, makemigrations --check, migrate: $(($(date +%s) - t0))s"
    "$py" walk.py "$config"
    echo "$config: $(($(date +%s) - t0))s"
}

declare -A pids
for config in "${configs[@]}"; do
    run_config "$config" >"$work/$config.log" 2>&1 &
    pids[$config]=$!
done
failed=()
for config in "${configs[@]}"; do
    if wait "${pids[$config]}"; then status=OK; else status=FAILED; failed+=("$config"); fi
    echo "--- $config: $status (log: $work/$config.log)"
    if [ "$status" = OK ]; then grep -E '^  - |^walk OK|^check,|s$' "$work/$config.log" | tail -12
    else tail -60 "$work/$config.log"; fi
done
lap "configurations ${configs[*]} (side by side)"

total=$(($(date +%s) - started))
if [ "${#failed[@]}" -gt 0 ]; then
    echo "install check: FAILED in ${total}s: ${failed[*]}"
    exit 1
fi
echo "install check: OK in ${total}s: built, twine-checked, installed into a fresh venv; ${configs[*]}: check, migrate, join -> basket -> points -> order -> earned"
