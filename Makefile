# The two commands: `make demo` and `make test`. Both create .venv when it is missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= $(CURDIR)/demo.db

.PHONY: demo test bench venv clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

## make demo: set up, build the demo database from the seed report, open the app on it
demo: venv
	$(BIN)/servicetui demo --db "$(DEMO_DB)" --reset

## make test: set up and run the whole test suite. When SERVICETUI_TEST_PG_URL names a PostgreSQL
## server (.ci/run starts one), the service, report and CLI suites run a second time on it.
PG_SUITES := tests/services tests/reports tests/store/test_audit_append_only.py

test: venv
	$(BIN)/python -m pytest -q
	@if [ -n "$$SERVICETUI_TEST_PG_URL" ]; then \
	  echo "== the service, report and CLI suites again, on PostgreSQL =="; \
	  SERVICETUI_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q $(PG_SUITES); \
	fi

## make bench: the performance harness (see benchmarks/)
bench: venv
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache
