"""Decomposition by style: feasible plans, valid bounds, any backend, any executor."""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import small_scenarios_with_limits, small_seasons

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.lp_dive import dive
from flexsupply.heuristics.mean_value import neighbourhoods
from flexsupply.model import build_program
from flexsupply.plan.run import STOP_WORDS
from flexsupply.plan.summary import plan_summary
from flexsupply.solve.decompose import DecomposeSettings, decompose, hybrid, partition
from flexsupply.solve.decompose.master import Patterns
from flexsupply.solve.decompose.primal import PlanLimits, PlanSearch, SearchState
from flexsupply.solve.decompose.subproblems import Task, blocks_of, priced_objective, solve_task

GAP = 1e-4
"""Relative gap asked of both methods."""


def season(data: dict[str, Any]) -> tuple[Any, Any]:
    scenario = fs.Scenario.model_validate(data)
    return build_program(scenario, demand_scenarios(scenario))


def monolithic_optimum(program: Any) -> float:
    result = get_backend("ortools").solve(program, SolverOptions(gap=1e-9))
    assert result.status == "optimal"
    return float(result.objective)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=small_seasons())
def test_plan_is_feasible_near_the_optimum_and_bound_is_above_it(
    backend: str, data: dict[str, Any]
) -> None:
    program, model = season(data)
    optimum = monolithic_optimum(program)

    result = decompose(
        program,
        get_backend(backend),
        SolverOptions(gap=GAP),
        None,
        neighbourhoods(model, program.n_columns),
        settings=DecomposeSettings(executor="serial"),
    )

    assert result.status.has_plan
    assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
    tolerance = 1e-6 * max(1.0, abs(optimum))
    assert result.objective <= optimum + tolerance
    assert result.objective >= optimum - GAP * abs(optimum) - tolerance
    assert result.bound >= optimum - tolerance
    assert result.extra["lagrangian_bound"] >= optimum - tolerance or math.isinf(
        result.extra["lagrangian_bound"]
    )


def test_every_lagrangian_evaluation_bounds_the_optimum() -> None:
    program, _ = season(small_scenarios_with_limits(cash=True, warehouse=True))
    optimum = monolithic_optimum(program)

    result = decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        None,
        settings=DecomposeSettings(executor="serial", max_iterations=8),
    )

    assert result.extra["iterations"] >= 1
    assert result.extra["linking_rows"] > 0
    assert result.extra["lagrangian_bound"] >= optimum - 1e-6 * abs(optimum)
    assert result.extra["lp_bound"] >= result.extra["lagrangian_bound"] - 1e-6 * abs(optimum)


def test_time_limited_run_returns_a_feasible_plan_with_a_valid_bound() -> None:
    program, model = season(small_scenarios_with_limits(cash=True, warehouse=True))
    optimum = monolithic_optimum(program)
    ticks = itertools.count()
    start = get_backend("ortools").solve(program, SolverOptions(gap=0.5)).x

    result = decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        time_limit=12.0,
        neighbourhoods=neighbourhoods(model, program.n_columns),
        start=start,
        settings=DecomposeSettings(executor="serial"),
        clock=lambda: float(next(ticks)),
    )

    assert result.status.has_plan
    assert result.extra["iterations"] >= 1
    assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
    assert result.objective >= program.value(start) - 1e-9
    assert result.bound >= optimum - 1e-6 * abs(optimum)


def test_dask_gives_the_same_plan_as_local_processes() -> None:
    pytest.importorskip("distributed")
    program, _ = season(small_scenarios_with_limits(cash=False, warehouse=True))
    runs = {}
    for executor in ("local", "dask"):
        runs[executor] = decompose(
            program,
            get_backend("ortools"),
            SolverOptions(gap=1e-9),
            None,
            settings=DecomposeSettings(
                executor=executor, workers=2, processes=False, max_iterations=4
            ),
        )

    assert runs["dask"].message == runs["local"].message
    np.testing.assert_array_equal(runs["dask"].x, runs["local"].x)
    assert runs["dask"].extra["lagrangian_bound"] == runs["local"].extra["lagrangian_bound"]


def test_unreachable_dask_scheduler_falls_back_to_local_processes() -> None:
    pytest.importorskip("distributed")
    program, _ = season(small_scenarios_with_limits(cash=False, warehouse=False))

    result = decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        None,
        settings=DecomposeSettings(executor="dask", scheduler="tcp://127.0.0.1:9", workers=1),
    )

    assert result.status.has_plan
    assert "local processes instead" in result.message


def test_plan_records_the_method() -> None:
    scenario = fs.Scenario.model_validate(small_scenarios_with_limits(cash=True, warehouse=False))

    decomposed = fs.solve(scenario, method="decompose", workers=1)
    monolithic = fs.solve(scenario, method="monolithic")

    assert decomposed.to_dict()["solver"]["method"] == "decompose"
    assert monolithic.to_dict()["solver"]["method"] == "monolithic"
    assert decomposed.objective == pytest.approx(monolithic.objective, rel=1e-5)


def test_min_cost_season_decomposes_to_the_same_optimum() -> None:
    data = small_scenarios_with_limits(cash=False, warehouse=True)
    data["objective"] = "min_cost"
    scenario = fs.Scenario.model_validate(data)

    decomposed = fs.solve(scenario, method="decompose", workers=1)
    monolithic = fs.solve(scenario, method="monolithic")

    assert decomposed.objective == pytest.approx(monolithic.objective, rel=1e-6)
    assert decomposed.bound <= monolithic.objective + 1e-6 * abs(monolithic.objective)


def generated_season() -> Any:
    """A generated season of 8 styles, 3 factories, 6 weeks and 2 futures (``benchmarks/season.py``)."""
    benchmarks = str(Path(__file__).parents[1] / "benchmarks")
    if benchmarks not in sys.path:
        sys.path.insert(0, benchmarks)
    from season import generate

    return generate(products=8, suppliers=3, periods=6, scenarios=2, seed=1)


def work_limited(program: Any, model: Any, **named: Any) -> Any:
    """Decomposes ``program`` with a safety net only: the work limits end the run."""
    return decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        3600.0,
        neighbourhoods(model, program.n_columns),
        **named,
    )


def test_work_limits_give_the_same_plan_twice_and_on_any_executor() -> None:
    scenario = generated_season()
    program, model = build_program(scenario, demand_scenarios(scenario))
    runs = [
        work_limited(
            program,
            model,
            settings=DecomposeSettings(executor=executor, workers=2, max_iterations=3),
        )
        for executor in ("serial", "serial", "local")
    ]

    assert {run.stop for run in runs} <= {"iteration_limit", "converged", "gap"}
    for run in runs[1:]:
        np.testing.assert_array_equal(run.x, runs[0].x)
        assert run.bound == runs[0].bound
        assert run.message == runs[0].message
    assert program.violation(runs[0].x) <= FEASIBILITY_TOLERANCE


ONE_REPAIR = PlanLimits(repairs=1, style_sweeps=0, neighbourhood_nodes=0, fix_sweeps=0)
"""The plan side's repair alone (its dives and one-style re-plans), for short tests."""


def test_a_start_found_during_the_first_round_gives_the_plan_of_a_start_given_before() -> None:
    scenario = generated_season()
    program, model = build_program(scenario, demand_scenarios(scenario))
    start = dive(program, math.inf)
    assert start is not None
    found: list[int] = []

    def later() -> Any:
        found.append(1)
        return start

    runs = [
        work_limited(
            program,
            model,
            start=given,
            settings=DecomposeSettings(workers=2, max_iterations=1, plan=ONE_REPAIR),
            later_start=then,
        )
        for given, then in ((start, None), (None, later))
    ]

    assert found == [1]
    np.testing.assert_array_equal(runs[1].x, runs[0].x)
    assert runs[1].bound == runs[0].bound
    assert program.value(runs[1].x) >= program.value(start)


def test_a_run_the_clock_cut_says_so() -> None:
    program, model = season(small_scenarios_with_limits(cash=True, warehouse=True))
    ticks = itertools.count()

    result = decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        time_limit=6.0,
        neighbourhoods=neighbourhoods(model, program.n_columns),
        settings=DecomposeSettings(executor="serial"),
        clock=lambda: float(next(ticks)),
    )

    assert result.stop == "time_limit"


def test_the_stop_reason_reaches_plan_json_and_the_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the engine's tail (``hybrid.py``), which proves this small season optimal.
    monkeypatch.setattr(hybrid, "engine_tail", lambda settings: settings)
    plan = fs.solve(
        generated_season(), method="decompose", iterations=2, time_limit=3600, workers=1
    )

    assert plan.stop == "iteration_limit"
    assert plan.to_dict()["stopped_by"] == "iteration_limit"
    assert plan.to_dict()["notice"] is None
    assert STOP_WORDS["iteration_limit"] in plan_summary(plan).splitlines()[0]
    assert "2 iterations" in plan.solver_message


def test_repair_turns_lagrangian_plans_that_break_capacity_into_feasible_plans() -> None:
    program, _ = season(small_scenarios_with_limits(cash=True, warehouse=True))
    parts = partition(program)
    blocks = blocks_of(parts)
    options = SolverOptions(engine="highs", gap=1e-9)
    # At zero prices every style plans as if it had the factories to itself.
    zero = np.zeros(len(parts.linking_rows))
    solutions = [
        solve_task(block.program, Task(k, priced_objective(block, zero), "ortools", options))
        for k, block in enumerate(blocks)
    ]
    glued = np.zeros(parts.program.n_columns)
    for solution in solutions:
        glued[blocks[solution.block].columns] = solution.x
    lagrangian = glued[: parts.n_original]
    patterns = Patterns.of(program)
    patterns.add_round(lagrangian, parts.block_style[:-1])
    state = SearchState(None, -math.inf, math.inf)
    search = PlanSearch(
        program, get_backend("ortools"), options, (), state, patterns, PlanLimits(), math.inf, float
    )

    search.repair()

    assert program.violation(lagrangian) > FEASIBILITY_TOLERANCE
    assert state.x is not None
    assert program.violation(state.x) <= FEASIBILITY_TOLERANCE
    assert state.value == pytest.approx(program.value(state.x))
    assert state.found_by in {"repair", "repair one style at a time", "repair by style"}
