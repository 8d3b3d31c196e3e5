"""Shared helpers for tests of located errors: where each problem of a ScenarioError is."""

from __future__ import annotations

from pathlib import Path

import pytest

import flexsupply as fs

Where = tuple[int, int, str, str]
"""Where a problem is and what it says: line, column, field path, message."""


def problems_of(error: fs.ScenarioError) -> list[Where]:
    """Returns where each problem of ``error`` is, in the order they were found."""
    return [(p.line or 0, p.column or 0, p.path, p.message) for p in error.problems]


def load_problems(path: Path) -> list[Where]:
    """Returns the problems loading the file ``path`` raises (it must raise)."""
    with pytest.raises(fs.ScenarioError) as caught:
        fs.load(path)
    return problems_of(caught.value)


def loads_problems(text: str, source: str) -> list[Where]:
    """Returns the problems loading ``text`` as the file ``source`` raises (it must raise)."""
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, source)
    return problems_of(caught.value)
