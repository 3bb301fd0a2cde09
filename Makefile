# The two commands of the README. Nothing but Python 3.11 is needed beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: sandbox test lint docs clean bench bench-smoke install-check variants screens

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[sandbox,test]"
	touch $(STAMP)

## Start the demo store on http://127.0.0.1:8000 (SQLite, demo data loaded once),
## with a background-task worker beside it (points, memberships and newsletters
## bought or sent in the store are processed by it), stopped with the server.
sandbox: $(STAMP)
	$(BIN)/python sandbox/manage.py migrate --noinput
	$(BIN)/python sandbox/manage.py loyalty_demo_data
	$(BIN)/python sandbox/manage.py db_worker --interval 1 --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python sandbox/manage.py runserver 127.0.0.1:8000

## Run the whole suite: SQLite, or the database in DATABASE_URL.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Retake the screenshots the docs show (docs/screens.md) with the browser tests.
screens: $(STAMP)
	LOYALTY_DOC_SCREENS=1 $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

## Each settings variant (the store minus one optional app, tests/variants/):
## system checks, migration graph and the smoke journey, SQLite in memory.
variants: $(STAMP)
	PYTHON=$(BIN)/python tests/variants/run.sh $(VARIANTS)

## Build the documentation site into var/site (MkDocs, strict: any warning fails).
DOCS_STAMP := $(VENV)/.docs-stamp
$(DOCS_STAMP): $(STAMP) setup.cfg
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## Benchmarks (docs/performance.md): full size, or small (CI) with the query targets enforced.
## SQLite file var/bench.sqlite3, or the database in DATABASE_URL.
BENCHMARKS ?= checkout balance newsletter expiry reports sms api webhooks
bench: $(STAMP)
	for b in $(BENCHMARKS); do $(BIN)/python -m benchmarks.$$b || exit 1; done

bench-smoke: $(STAMP)
	for b in $(BENCHMARKS); do $(BIN)/python -m benchmarks.$$b --smoke || exit 1; done

## Build the sdist and wheel, install the wheel into a fresh venv beside a stock Oscar
## store and follow the README's blocks there: core, core plus newsletter, full
## (docs/development.md, "Install check"). Needs only Python and the package index.
install-check:
	PYTHON=$(PYTHON) install_check/run.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var sandbox/db.sqlite3
