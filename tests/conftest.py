"""Shared fixtures: every test that needs a solver runs once per installed backend."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # A shell without job control starts `make test &` with Ctrl-C ignored, and every child
    # inherits that; the Ctrl-C tests (test_interrupt.py, test_batch_workers.py) need it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)

DATA = Path(__file__).parent / "data"
BACKENDS = ["ortools", "pulp"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Name of a solver backend; tests using it run once per backend."""
    return str(request.param)


@pytest.fixture
def data_dir() -> Path:
    """Folder of test fixtures."""
    return DATA
