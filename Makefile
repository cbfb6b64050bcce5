# The two commands: `make serve` and `make test`. Each sets up what it needs first.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in this many pytest-xdist processes: most of its time is spent
# waiting (servers, subprocesses, rate windows), so two share 2 cores well.
TEST_WORKERS ?= 2
export HOST PORT

.PHONY: serve test setup lint bench schema lock

$(BIN)/gql-media: pyproject.toml requirements.lock tests/js/package-lock.json
	PY=$(PY) scripts/bootstrap.sh

setup: $(BIN)/gql-media

serve: setup
	$(BIN)/gql-media migrate
	$(BIN)/gql-media serve --host $(HOST) --port $(PORT)

# Lint first, so CI (which runs the tests) enforces the layers and types too.
test: lint
	scripts/services.sh
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Benchmarks (bench/README.md): all, or one with `make bench ONLY=fanout`. Needs
# PostgreSQL like `make test`; starts its own Redis, S3 API server and file server.
bench: setup
	scripts/services.sh
	$(BIN)/python -m bench.run $(if $(ONLY),--only $(ONLY))

# ruff, the import contracts of pyproject.toml (layers, service domains), mypy with
# Strawberry's plugin. All must be clean.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

schema: setup
	$(BIN)/gql-media export-schema > schema.graphql

lock: setup
	(echo "# The test and run environment, pinned: \`make lock\` regenerates it (pip freeze)."; \
	 $(BIN)/pip freeze | grep -v -i -e '^-e' -e 'gql.media') > requirements.lock
