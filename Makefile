# Developer commands. Needs only Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-installs only when pyproject.toml is newer than the last install.
STAMP := $(VENV)/.installed
# Folders that exist in this checkout (ruff stops on a path that is missing).
LINT_PATHS := $(wildcard flexsupply tests benchmarks)
# `flexsupply solve` options for the demo. The 30-style season with 15 demand scenarios is solved
# by decomposition by style: one round of node-limited subproblems gives the Lagrangian bound,
# and its per-style plans, repaired, give the plan. Work limits end it, so two runs give the same
# plan however busy the machine is (tests/test_run.py). The time limit is only a safety net, set
# with room: a round of 30 style subproblems on 2 shared cores takes from well under a minute
# (idle) to minutes (loaded), and when the net stops a run, another run may differ.
DEMO_FLAGS ?= --time-limit 600 --iterations 1

.PHONY: venv demo test lint docs clean

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

# Tests run on up to 4 processes (pytest-xdist): the suite is single-threaded, so 2 cores halve it.
test: venv lint
	$(BIN)/pytest -n auto --maxprocesses 4

# Rewrites the generated references docs/reference/scenario.md and cli.md from the code.
docs: venv
	$(BIN)/python -m flexsupply.docs_gen

clean:
	rm -rf out build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
