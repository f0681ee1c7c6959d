.PHONY: run test lint bench

PYTHON ?= python3.11
VENV ?= .venv

run:  ## start the web server and a worker on embedded defaults
	PYTHON=$(PYTHON) VENV=$(VENV) bin/run

test:  ## install dev dependencies and run the whole test suite
	PYTHON=$(PYTHON) VENV=$(VENV) bin/test

lint:  ## ruff (lint + format), and the architecture's import contracts (pyproject.toml)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

bench:  ## run every benchmark under bench/ (tables on stdout; BENCH_ARGS=--full for long runs)
	@if [ ! -f $(VENV)/.installed-bench ] || [ pyproject.toml -nt $(VENV)/.installed-bench ]; then \
	  $(VENV)/bin/pip install --quiet -e ".[bench]" && touch $(VENV)/.installed-bench; fi
	$(VENV)/bin/python bench/run_all.py $(BENCH_ARGS)
