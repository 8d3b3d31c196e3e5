"""Shared fixtures: every test that needs a solver runs once per installed backend."""

from __future__ import annotations

from pathlib import Path

import pytest

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
