"""Rounds of (l,S) separation: a tighter LP, the same integer optimum, on both backends."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import small_scenarios

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics.cover_rounds import tighten
from flexsupply.model import build_program
from flexsupply.model.program import LinearProgram
from flexsupply.overrides import load_with_overrides
from flexsupply.solve.decompose.linking import partition

EXACT = SolverOptions(gap=1e-9)
SPRING_DROP = Path(__file__).parents[1] / "scenarios" / "spring-drop.yaml"


def lp_bound(program: LinearProgram) -> float:
    relaxed = dataclasses.replace(program, integer=np.zeros_like(program.integer))
    return get_backend("ortools").solve(relaxed, EXACT).objective


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
@settings(max_examples=15, deadline=None)
@given(data=small_scenarios())
def test_tightened_program_keeps_the_optimum_with_a_tighter_relaxation(
    backend: str, data: dict[str, Any]
) -> None:
    scenario = fs.Scenario.model_validate(data)
    program, model = build_program(scenario, demand_scenarios(scenario))
    assert model.cover is not None

    tightened = tighten(program, model.cover, rounds=5)

    solver = get_backend(backend)
    assert solver.solve(tightened.program, EXACT).objective == pytest.approx(
        solver.solve(program, EXACT).objective, rel=1e-6, abs=1e-4
    )
    assert tightened.program.n_rows == program.n_rows + tightened.rows
    assert tightened.lp_after == pytest.approx(lp_bound(tightened.program), rel=1e-6, abs=1e-4)
    assert tightened.lp_after <= tightened.lp_before + 1e-6 * max(1.0, abs(tightened.lp_before))


def test_rounds_tighten_a_season_and_survive_the_partition() -> None:
    scenario = load_with_overrides(SPRING_DROP, ["demand.signals.scenarios_kept=3"])
    program, model = build_program(scenario, demand_scenarios(scenario))
    assert model.cover is not None

    tightened = tighten(program, model.cover, rounds=3)
    parts = partition(tightened.program)

    assert tightened.rows > 0
    assert tightened.lp_after < tightened.lp_before - 1.0
    assert lp_bound(parts.program) == pytest.approx(tightened.lp_after, rel=1e-9)
    assert lp_bound(tightened.program) == pytest.approx(tightened.lp_after, rel=1e-9)
