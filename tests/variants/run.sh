#!/usr/bin/env bash
# Each settings variant (the store minus an optional app): the smoke journey
# (with the system checks and the migration graph), each variant in its own
# interpreter and in-memory database. Runs every variant and fails at the end
# if any failed, naming them. Usage: tests/variants/run.sh [app ...]
set -uo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
if [ $# -gt 0 ]; then
    variants=("$@")
else
    variants=()
    for file in tests/variants/settings_without_*.py; do
        name=${file#tests/variants/settings_without_}
        variants+=("${name%.py}")
    done
fi
failed=()
for variant in "${variants[@]}"; do
    settings="tests.variants.settings_without_${variant}"
    printf '\n--- without %s\n' "$variant"
    # DATABASE_URL would point the checks at another database: variants are SQLite in memory.
    if env -u DATABASE_URL "$PYTHON" -m pytest -q -p no:randomly -m smoke_journey \
            --nomigrations --confcutdir tests/variants --ds "$settings" tests/variants; then
        :
    else
        failed+=("$variant")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    printf '\nVariants that failed: %s\n' "${failed[*]}"
    exit 1
fi
printf '\nAll %d variants passed.\n' "${#variants[@]}"
