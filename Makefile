# The two commands of the README. Nothing but Python 3.11 is needed beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: sandbox test lint docs clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[sandbox,test]"
	touch $(STAMP)

## Start the demo store on http://127.0.0.1:8000 (SQLite, demo data loaded once).
sandbox: $(STAMP)
	$(BIN)/python sandbox/manage.py migrate --noinput
	$(BIN)/python sandbox/manage.py loyalty_demo_data
	$(BIN)/python sandbox/manage.py runserver 127.0.0.1:8000

## Run the whole suite: SQLite, or the database in DATABASE_URL.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var sandbox/db.sqlite3
