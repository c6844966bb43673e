# Customer 360 Gateway: every target creates and uses .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: install demo test lint format bench schema graphiql-assets clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP) ## seed a demo world and start the simulators and the gateway on SQLite
	$(BIN)/c360 demo

test: $(STAMP) ## the whole test suite (PostgreSQL too when C360_TEST_POSTGRES_URL is set)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## benchmarks (minutes; each prints a table; results in bench/RESULTS.md)
	$(BIN)/python -m bench.run_all

schema: $(STAMP) ## rewrite schema/schema.graphql and schema.plain.graphql from the code
	$(BIN)/c360 schema export --output schema/schema.graphql
	$(BIN)/c360 schema export --plain --output schema/schema.plain.graphql

graphiql-assets: ## refresh GraphiQL's pinned files in app/web/static/graphiql/vendor from npm
	bash app/web/static/graphiql/refresh-vendor.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache c360.db c360.db-wal c360.db-shm
