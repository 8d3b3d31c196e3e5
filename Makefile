# Developer commands. Needs only Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-installs only when pyproject.toml is newer than the last install.
STAMP := $(VENV)/.installed
# Folders that exist in this checkout (ruff stops on a path that is missing).
LINT_PATHS := $(wildcard flexsupply tests benchmarks)
# Extra `flexsupply solve` options for the demo, e.g. make demo DEMO_FLAGS="--time-limit 60".
DEMO_FLAGS ?=

.PHONY: venv demo test lint clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	touch $(STAMP)

demo: venv
	$(BIN)/flexsupply solve scenarios/spring-drop.yaml --out-dir out/spring-drop $(DEMO_FLAGS)

lint: venv
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

test: venv lint
	$(BIN)/pytest

clean:
	rm -rf out build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
