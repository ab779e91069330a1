# Tỉnh số — two commands: `make run` and `make test`.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-test setup demo lint bench lock clean ci browsers

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install -q -r requirements-test.lock
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, migrate, load the demo province when empty, serve on http://127.0.0.1:$(PORT)
run: install
	$(BIN)/tinhso setup
	$(BIN)/tinhso serve --port $(PORT)

## make test: install what tests need and run the whole suite
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: install
	$(BIN)/tinhso setup

demo: install
	$(BIN)/tinhso demo

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/python manage.py makemigrations --check --dry-run

## make bench: benchmarks, results written to bench/results/
bench: install-test
	$(BIN)/python bench/run.py

## make lock: re-resolve the lock files after changing pyproject.toml (needs uv)
lock:
	uv pip compile pyproject.toml --python-version 3.11 -o requirements.lock --custom-compile-command "make lock"
	uv pip compile pyproject.toml --extra test -c requirements.lock --python-version 3.11 -o requirements-test.lock --custom-compile-command "make lock"

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var
