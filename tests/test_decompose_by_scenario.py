"""The decomposition by scenario as a solve step, on a season of ``MIN_SCENARIOS`` scenarios.

The plan is feasible for the whole program, never worse than one engine call's warm start,
the same on one process or two; the bound is never below the optimum; both backends.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverOptions, Status, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.model import ModelMap, build_program
from flexsupply.model.program import LinearProgram
from flexsupply.solve import methods
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.decompose import by_scenario, scenario_split
from flexsupply.solve.decompose.by_scenario import scenario_split_of, solve_by_scenario
from flexsupply.solve.decompose.part_solve import PartPool
from flexsupply.solve.decompose.scenario_parts import ScenarioParts
from flexsupply.solve.settings import SolveSettings

TINY = Path(__file__).parent / "data" / "by_scenario" / "tiny-many.yaml"
"""Two styles, four weeks, ``MIN_SCENARIOS`` scenarios joined only by the first batch."""


def _tiny() -> tuple[fs.Scenario, LinearProgram, ModelMap, ScenarioParts]:
    scenario = fs.load(TINY)
    demand = demand_scenarios(scenario)
    assert demand.n_scenarios >= by_scenario.MIN_SCENARIOS
    program, model = build_program(scenario, demand)
    parts = scenario_split_of(program, model)
    assert parts is not None
    return scenario, program, model, parts


@functools.cache
def _optimum() -> float:
    _, program, _, _ = _tiny()
    result = get_backend("ortools").solve(program, SolverOptions(gap=1e-7))
    assert result.status == Status.OPTIMAL
    return result.objective


def _tolerance(value: float) -> float:
    return 1e-6 * max(abs(value), 1.0)


def test_the_plan_is_never_worse_than_the_warm_start(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, program, model, _ = _tiny()
    # Sub-MIPs bounded by nodes: the warm start does a fixed amount of work, the same plan twice.
    settings = SolveSettings(backend=backend, workers=1, iterations=1, node_limit=200)
    context = methods.MethodContext(scenario)
    share, dive = by_scenario.SPLIT_START_SHARE, by_scenario.SPLIT_START_DIVE
    reference = methods._warm_start(
        program, model, settings, Deadline(60.0), context, share, share > 0, dive
    )
    assert reference is not None
    assert not reference.time_limited

    # The split's own first stages are poor (no first batch at all): only the warm start's
    # first stage, or its plan, can give a plan as good as the warm start.
    def nothing_first(program: LinearProgram, parts: ScenarioParts, *rest: object) -> FloatArray:
        return np.asarray(program.col_lower[parts.shared], dtype=np.float64)

    monkeypatch.setattr(by_scenario, "mean_plan_start", lambda *args: None)
    monkeypatch.setattr(scenario_split, "consensus", nothing_first)

    result = methods.decomposed(
        program, model, get_backend(backend), settings, Deadline(60.0), context
    )

    assert result.status.has_plan
    assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
    assert result.objective >= reference.objective - _tolerance(reference.objective)
    assert result.bound >= _optimum() - _tolerance(_optimum())


def test_a_first_stage_keeps_each_scenarios_better_recourse(backend: str) -> None:
    # The warm start's first stage with its own recourse, scored again: never worse, and
    # at least as good as the best recourse of that first stage part by part.
    _, program, _, parts = _tiny()
    start = get_backend(backend).solve(program, SolverOptions(gap=0.05, node_limit=50))
    assert start.status.has_plan
    run = scenario_split.SplitRun(backend, SolverOptions(), PartPool(1), math.inf, rounds=1)

    state = scenario_split.split_solve(program, parts, run, start=start.x)

    assert state.tried["warm start"] >= program.value(start.x) - _tolerance(start.objective)
    assert state.value >= state.tried["warm start"]
    assert state.x is not None
    assert program.violation(state.x) <= FEASIBILITY_TOLERANCE
    assert state.bound >= _optimum() - _tolerance(_optimum())


def test_the_split_is_feasible_bounded_and_the_same_on_one_or_two_processes(
    backend: str,
) -> None:
    scenario, program, model, parts = _tiny()
    optimum = _optimum()
    options = SolverOptions(gap=1e-6, seed=3)

    one, two = (
        solve_by_scenario(program, model, scenario, parts, backend, options, workers, rounds=2)
        for workers in (1, 2)
    )

    for result in (one, two):
        assert result.status.has_plan
        assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
        assert result.objective <= optimum + _tolerance(optimum)
        assert result.bound >= optimum - _tolerance(optimum)
    np.testing.assert_array_equal(one.x, two.x)
    assert one.bound == two.bound
