#!/usr/bin/env bash
# Run django-oscar's own test suite, stock or with oscar-loyalty installed.
#
#   OSCAR_GIT=/path/to/django-oscar oscar_suite/run.sh stock [pytest args...]
#   OSCAR_GIT=/path/to/django-oscar oscar_suite/run.sh addon [pytest args...]
#
# OSCAR_GIT is a clone of the django-oscar repository (a work tree or a bare git
# directory). The suite of the tag OSCAR_TAG (default 4.2.0) is exported into
# var/oscar-suite/django-oscar-<tag>/ and never committed. It runs against the
# django-oscar installed in the project's .venv, in a venv of its own under
# var/oscar-suite/ that sees the project's packages and adds the few that only
# Oscar's tests need. SQLite in memory (Oscar's --sqlite option), so it never
# touches another database. The log and the JUnit XML go to var/oscar-suite/.
# See docs/development.md, "Oscar's own suite".
set -euo pipefail

mode="${1:?usage: oscar_suite/run.sh stock|addon [pytest args...]}"
shift
case "$mode" in
stock) settings="tests.settings" ;;
addon) settings="loyalty_settings" ;;
*) echo "mode must be stock or addon" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
var="$root/var/oscar-suite"
tag="${OSCAR_TAG:-4.2.0}"
src="$var/django-oscar-$tag"
venv="$var/venv"
mkdir -p "$var"

if [ ! -f "$src/tests/settings.py" ]; then
    : "${OSCAR_GIT:?set OSCAR_GIT to a clone of the django-oscar repository}"
    rm -rf "$src.tmp" && mkdir -p "$src.tmp"
    git -C "$OSCAR_GIT" archive "$tag" tests setup.cfg | tar -x -C "$src.tmp"
    mv "$src.tmp" "$src"
fi

if [ ! -x "$venv/bin/python" ]; then
    "$root/.venv/bin/python" -m venv "$venv"
    # The project's packages (Django, Oscar, the add-on) without reinstalling them.
    project_site="$("$root/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    venv_site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    # addsitedir, not a plain path: the editable install's own .pth must run too.
    echo "import site; site.addsitedir('$project_site')" >"$venv_site/oscar_loyalty_project.pth"
    # What Oscar's "test" extra adds beyond the project's own test tools.
    "$venv/bin/python" -m pip install --quiet "easy-thumbnails>=2.9,<2.11" pycountry pytz
fi

cd "$src"
[ "$#" -gt 0 ] || set -- tests
PYTHONPATH="$root/oscar_suite" DJANGO_SETTINGS_MODULE="$settings" \
    "$venv/bin/python" -m pytest --sqlite --ds="$settings" --deprecation=none -p no:cacheprovider \
    -q -rfE --junitxml="$var/$mode.xml" "$@" 2>&1 | tee "$var/$mode.log"
exit "${PIPESTATUS[0]}"
