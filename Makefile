# Siliu's two front-door commands: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := siliu.settings

.PHONY: run test lint typecheck migrations-check pytest bench messages clean

# Creating the venv and installing the project happens once, and again whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 (python3.11) / Python 3.11 is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Static files collected as production serves them (hashed names, gzip and Brotli beside each, cached for
# good: ADR 0010), collected again only when a source file or the installed packages changed.
STATIC_ROOT := $(or $(SILIU_DATA_DIR),var)/static
STATIC_SOURCES := $(shell find siliu -path '*/static/*' -type f)

$(STATIC_ROOT)/staticfiles.json: $(STAMP) $(STATIC_SOURCES)
	SILIU_STATIC_COLLECTED=1 $(BIN)/siliu collectstatic --noinput --verbosity 0

run: $(STAMP) $(STATIC_ROOT)/staticfiles.json
	$(BIN)/siliu migrate --noinput
	$(BIN)/siliu demo --if-empty
	SILIU_STATIC_COLLECTED=1 $(BIN)/siliu serve --port $(PORT)

test: lint typecheck migrations-check pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy siliu tests

migrations-check: $(STAMP)
	$(BIN)/siliu makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@ls bench/*.py >/dev/null 2>&1 || { echo "no benchmarks yet"; exit 0; }
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

messages: $(STAMP)
	cd siliu && ../$(BIN)/siliu makemessages -l en --no-obsolete && ../$(BIN)/siliu compilemessages -l en

clean:
	rm -rf $(VENV) build *.egg-info

# Schemathesis over the whole API with a large budget and its coverage phase (boundary values of every
# parameter): minutes, not seconds. `make test` runs the same test (tests/fuzz) with a small budget.
# DATABASE_URL=postgres://… runs it against PostgreSQL, which refuses more than SQLite does.
FUZZ_EXAMPLES ?= 200
.PHONY: fuzz
fuzz: $(STAMP)
	SILIU_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SILIU_FUZZ_COVERAGE=1 $(BIN)/pytest -q tests/fuzz
