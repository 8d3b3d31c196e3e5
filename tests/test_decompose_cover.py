"""The decomposition on a program tightened by (l,S) rows: same style optima, same guarantees."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import small_seasons

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.cover_rounds import tighten
from flexsupply.heuristics.mean_value import neighbourhoods
from flexsupply.model import build_program
from flexsupply.solve.decompose import DecomposeSettings, decompose, partition
from flexsupply.solve.decompose.relaxation import lp_relaxation
from flexsupply.solve.decompose.subproblems import Task, blocks_of, priced_objective, solve_task

GAP = 1e-4
EXACT = SolverOptions(engine="highs", gap=1e-9)
QUICK = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def season(data: dict[str, Any]) -> tuple[Any, Any]:
    scenario = fs.Scenario.model_validate(data)
    return build_program(scenario, demand_scenarios(scenario))


@QUICK
@given(data=small_seasons())
def test_every_style_keeps_its_optimum_at_the_same_multipliers(
    backend: str, data: dict[str, Any]
) -> None:
    program, model = season(data)
    tightened = tighten(program, model.cover, rounds=5).program
    plain, tight = partition(program), partition(tightened)
    # The separated rows never link styles, so both partitions relax the same rows in order.
    assert len(plain.linking_rows) == len(tight.linking_rows)
    mu = lp_relaxation(plain.program, None).duals[plain.linking_rows]

    for block, tight_block in zip(blocks_of(plain), blocks_of(tight), strict=True):
        assert np.array_equal(block.columns, tight_block.columns)
        values = [
            solve_task(b.program, Task(0, priced_objective(b, mu), backend, EXACT)).objective
            for b in (block, tight_block)
        ]
        assert values[1] == pytest.approx(values[0], rel=1e-6, abs=1e-4)


@QUICK
@given(data=small_seasons())
def test_plan_and_bound_with_the_rows_are_as_good_as_without(
    backend: str, data: dict[str, Any]
) -> None:
    program, model = season(data)
    optimum = get_backend("ortools").solve(program, SolverOptions(gap=1e-9)).objective

    result = decompose(
        program,
        get_backend(backend),
        SolverOptions(gap=GAP),
        None,
        neighbourhoods(model, program.n_columns),
        settings=DecomposeSettings(executor="serial", cover_rounds=10),
        cover=model.cover,
    )

    tolerance = 1e-6 * max(1.0, abs(optimum))
    assert result.status.has_plan
    assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
    assert optimum - GAP * abs(optimum) - tolerance <= result.objective <= optimum + tolerance
    assert result.bound >= optimum - tolerance
    lagrangian = result.extra["lagrangian_bound"]
    assert lagrangian >= optimum - tolerance or math.isinf(lagrangian)
