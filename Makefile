.PHONY: run test lint bench

PYTHON ?= python3.11
VENV ?= .venv

run:  ## start the web server and a worker on embedded defaults
	PYTHON=$(PYTHON) VENV=$(VENV) bin/run

test:  ## install dev dependencies and run the whole test suite
	PYTHON=$(PYTHON) VENV=$(VENV) bin/test

lint:  ## ruff (lint + format), the architecture's import contracts and mypy (pyproject.toml)
	PYTHON=$(PYTHON) VENV=$(VENV) bin/venv dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench:  ## run every benchmark under bench/ (tables on stdout; BENCH_ARGS=--full for long runs)
	PYTHON=$(PYTHON) VENV=$(VENV) bin/venv bench
	$(VENV)/bin/python bench/run_all.py $(BENCH_ARGS)
