"""Helpers for tests that solve small YAML scenarios."""

from __future__ import annotations

import textwrap

import pytest

import flexsupply as fs


def plan_for(text: str, backend: str) -> fs.Plan:
    """Solves a YAML scenario and checks what every optimal plan must satisfy."""
    plan = fs.solve(fs.loads(textwrap.dedent(text)), solver=backend)
    assert plan.status == "optimal"
    assert plan.kpis.expected_profit == pytest.approx(plan.objective, abs=1e-6)
    return plan
