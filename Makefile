.PHONY: run test lint bench

PYTHON ?= python3.11
VENV ?= .venv

run:  ## start the web server and a worker on embedded defaults
	PYTHON=$(PYTHON) VENV=$(VENV) bin/run

test:  ## install dev dependencies and run the whole test suite
	PYTHON=$(PYTHON) VENV=$(VENV) bin/test

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
