# The two commands of the README: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-pg lint install worker clean

$(STAMP): setup.cfg pyproject.toml examples/notify_webhook/setup.cfg
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "setuptools<81" wheel
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet -e examples/notify_webhook
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/tessera -c development.ini run

worker: $(STAMP)
	$(BIN)/tessera -c development.ini worker

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The same suite against PostgreSQL and Redis (the scale-out stack).
test-pg: $(STAMP)
	TESSERA_TEST_DATABASE_URL=$(PG_URL) TESSERA_TEST_REDIS_URL=$(REDIS_URL) \
		$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
