"""The bound side: blocks shipped once, priced tasks, any executor, a time-limited LP."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from strategies import small_scenarios_with_limits

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.model import build_program
from flexsupply.solve.decompose import DecomposeSettings, decompose, relaxation
from flexsupply.solve.decompose.executors import Executor
from flexsupply.solve.decompose.linking import partition
from flexsupply.solve.decompose.subproblems import Task, blocks_of, priced_objective


def season(cash: bool, warehouse: bool) -> Any:
    scenario = fs.Scenario.model_validate(small_scenarios_with_limits(cash, warehouse))
    return build_program(scenario, demand_scenarios(scenario))[0]


def monolithic_optimum(program: Any) -> float:
    result = get_backend("ortools").solve(program, SolverOptions(gap=1e-9))
    assert result.status == "optimal"
    return float(result.objective)


def multipliers(parts: Any, scale: float) -> Any:
    """``scale`` times the LP duals of the linking rows, clipped to their sign conditions."""
    rows = parts.linking_rows
    duals = scale * relaxation.lp_relaxation(parts.program, None).duals[rows]
    low, up = parts.program.row_lower[rows], parts.program.row_upper[rows]
    return np.clip(
        duals, np.where(np.isfinite(low), -np.inf, 0.0), np.where(np.isfinite(up), np.inf, 0.0)
    )


def priced_round(program: Any, scale: float) -> tuple[list[Any], list[Task]]:
    """Every block's program and its task priced at ``multipliers(scale)``."""
    parts = partition(program)
    duals = multipliers(parts, scale)
    blocks = blocks_of(parts)
    options = SolverOptions(engine="highs", gap=1e-9)
    tasks = [
        Task(k, priced_objective(block, duals), "ortools", options)
        for k, block in enumerate(blocks)
    ]
    return [block.program for block in blocks], tasks


@pytest.mark.parametrize("kind", ["serial", "local"])
def test_executor_solves_the_shipped_blocks_in_task_order(kind: str) -> None:
    program = season(cash=True, warehouse=True)
    programs, tasks = priced_round(program, 1.0)
    reference = Executor("serial")
    reference.load(programs)
    expected = reference.map(tasks)
    executor = Executor(kind, workers=2)
    try:
        executor.load(programs)
        # The second round starts the longest tasks first; answers keep the tasks' order.
        for _ in range(2):
            solutions = executor.map(tasks)
            assert [s.block for s in solutions] == [t.block for t in tasks]
            for got, want in zip(solutions, expected, strict=True):
                np.testing.assert_allclose(got.bound, want.bound, rtol=1e-9)
                np.testing.assert_allclose(got.x, want.x, atol=1e-9)
        assert executor.map([]) == []
    finally:
        executor.close()


@pytest.mark.parametrize("scale", [0.0, 0.5, 1.0, 2.0])
def test_a_round_at_any_multipliers_bounds_the_optimum(scale: float) -> None:
    program = season(cash=True, warehouse=False)
    assert program.maximize
    optimum = monolithic_optimum(program)
    parts = partition(program)
    programs, tasks = priced_round(program, scale)
    executor = Executor("serial")
    executor.load(programs)
    solutions = executor.map(tasks)
    rows = parts.linking_rows
    mu = multipliers(parts, scale)
    low, up = parts.program.row_lower[rows], parts.program.row_upper[rows]
    low, up = np.where(np.isfinite(low), low, 0.0), np.where(np.isfinite(up), up, 0.0)
    h = np.where(mu > 0, mu * up, mu * low)
    value = sum(s.bound for s in solutions) + float(h.sum()) + program.offset
    assert value >= optimum - 1e-6 * abs(optimum)


def test_lp_relaxation_out_of_time_gives_no_bound_but_valid_multipliers() -> None:
    program = season(cash=True, warehouse=True)
    found = relaxation.lp_relaxation(program, 0.0)
    assert math.isnan(found.bound)
    assert found.duals.shape == (program.n_rows,)
    assert np.isfinite(found.duals).all()
    assert relaxation.lp_seconds(60.0, 50.0) == pytest.approx(relaxation.LP_SHARE * 60.0)
    assert relaxation.lp_seconds(60.0, 1.0) == 1.0
    assert relaxation.lp_seconds(None, None) is None


def test_decompose_without_an_lp_bound_still_bounds_the_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relaxation, "LP_SHARE", 0.0)
    program = season(cash=True, warehouse=True)
    optimum = monolithic_optimum(program)

    result = decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        time_limit=60.0,
        settings=DecomposeSettings(executor="serial", max_iterations=10),
    )

    assert math.isnan(result.extra["lp_bound"])
    assert result.extra["iterations"] >= 1
    assert result.extra["lagrangian_bound"] >= optimum - 1e-6 * abs(optimum)
    assert result.bound >= optimum - 1e-6 * abs(optimum)
    if result.status.has_plan:
        assert program.violation(result.x) <= FEASIBILITY_TOLERANCE


def test_lp_relaxation_stops_on_its_iteration_limit_whatever_the_time() -> None:
    program = partition(season(cash=True, warehouse=True)).program
    solved = relaxation.lp_relaxation(program, None)
    assert solved.stopped_by == "optimal"
    within = relaxation.lp_relaxation(program, 600.0, relaxation.lp_iterations(program))
    assert within.stopped_by == "optimal"
    assert within.bound == pytest.approx(solved.bound, rel=1e-9)
    # Cut by the work limit: the same multipliers with a long and with no safety net.
    cut = [relaxation.lp_relaxation(program, limit, 3) for limit in (None, 600.0)]
    assert [found.stopped_by for found in cut] == ["iteration_limit"] * 2
    assert math.isnan(cut[0].bound)
    np.testing.assert_array_equal(cut[0].duals, cut[1].duals)


def scaled_clock(rate: float) -> Callable[[], float]:
    """A clock that runs ``rate`` times as fast as ``time.perf_counter``."""
    return lambda: rate * time.perf_counter()


def test_the_same_plan_and_bound_on_a_slow_and_a_fast_clock() -> None:
    """The machine seen 3x slower (or faster) changes nothing while no safety net binds."""
    program = season(cash=True, warehouse=True)
    results = [
        decompose(
            program,
            get_backend("ortools"),
            SolverOptions(gap=1e-9),
            time_limit=600.0,
            settings=DecomposeSettings(executor="serial", max_iterations=4),
            clock=scaled_clock(rate),
        )
        for rate in (1.0, 3.0, 1.0 / 3.0)
    ]
    first = results[0]
    assert first.stop != "time_limit"
    for other in results[1:]:
        assert other.stop == first.stop
        assert other.extra["iterations"] == first.extra["iterations"]
        assert other.bound == first.bound
        np.testing.assert_array_equal(other.x, first.x)
