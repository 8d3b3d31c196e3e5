"""The decomposition by scenario: parts found from the rows, a valid bound, a feasible plan."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.backends import SolverOptions, Status, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.model import build_program
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose import by_scenario
from flexsupply.solve.decompose.part_solve import LOST, PartJob, PartPool, solve_part
from flexsupply.solve.decompose.scenario_parts import (
    ScenarioParts,
    first_stage_columns,
    scenario_anchors,
    scenario_parts,
)
from flexsupply.solve.decompose.scenario_split import SplitRun, consensus, split_solve
from flexsupply.solve.stochastic import risk_neutral

SCENARIOS = Path(__file__).parents[1] / "scenarios"
SPLIT = ["group-buy", "dual-sourcing", "basics-replenishment"]
"""Templates whose scenarios only the first stage joins (3, 3 and 10 scenarios)."""
JOINED = ["fabric-and-credit", "levers-demo"]
"""Templates whose scenarios share more than the first stage (fabric stock, campaigns)."""


def _season(name: str) -> tuple[fs.Scenario, LinearProgram, ScenarioParts | None]:
    scenario = risk_neutral(fs.load(SCENARIOS / f"{name}.yaml"), keep_service=False)
    demand = demand_scenarios(scenario)
    program, model = build_program(scenario, demand)
    anchors = scenario_anchors(model, program.n_columns)
    parts = scenario_parts(program, first_stage_columns(model), anchors, demand.probabilities)
    return scenario, program, parts


def _optimum(program: LinearProgram, backend: str) -> float:
    result = get_backend(backend).solve(program, SolverOptions(gap=1e-7))
    assert result.status == Status.OPTIMAL
    return result.objective


@pytest.mark.parametrize("name", SPLIT)
def test_parts_cover_the_program_and_only_the_first_stage_joins_them(name: str) -> None:
    _, program, parts = _season(name)
    assert parts is not None

    owner = np.full(program.n_columns, -1)
    for k, columns in enumerate(parts.columns):
        assert (owner[columns] == -1).all()
        owner[columns] = k
    assert (owner[parts.shared] == -1).all()
    assert ((owner >= 0).sum() + len(parts.shared)) == program.n_columns
    matrix = program.matrix.tocsr()
    for k, rows in enumerate(parts.rows):
        touched = owner[matrix[rows].indices]
        assert set(np.unique(touched).tolist()) <= {k, -1}
    only_shared = owner[matrix[parts.shared_rows].indices]
    assert (only_shared == -1).all()
    assert parts.weights.sum() == pytest.approx(1.0)
    assert (parts.weights > 0).sum() == demand_scenarios(_season(name)[0]).n_scenarios


@pytest.mark.parametrize("name", JOINED)
def test_scenarios_joined_by_more_than_the_first_stage_are_not_split(name: str) -> None:
    _, _, parts = _season(name)

    assert parts is None


@pytest.mark.parametrize("name", SPLIT)
def test_split_plan_is_feasible_and_its_bound_is_above_the_optimum(name: str, backend: str) -> None:
    _, program, parts = _season(name)
    assert parts is not None
    assert program.maximize
    optimum = _optimum(program, backend)
    run = SplitRun(backend, SolverOptions(gap=1e-6), PartPool(1), math.inf, rounds=3)

    state = split_solve(program, parts, run)

    assert state.rounds >= 1
    assert state.x is not None
    assert program.violation(state.x) <= FEASIBILITY_TOLERANCE
    assert state.value == pytest.approx(program.value(state.x))
    tolerance = 1e-6 * max(abs(optimum), 1.0)
    assert state.value <= optimum + tolerance
    assert state.bound >= optimum - tolerance


@pytest.mark.parametrize("name", SPLIT)
def test_a_part_bound_is_at_least_its_optimum_and_its_recourse_plan_is_optimal(
    name: str, backend: str
) -> None:
    _, program, parts = _season(name)
    assert parts is not None
    blocks = parts.programs(program)
    k = int(np.argmax(parts.weights))
    optimum = _optimum(blocks[k], backend)
    options = SolverOptions()

    bound = solve_part(PartJob(blocks[k], "bound", 1e-4, 60.0, backend, options))

    assert bound.bound >= optimum - 1e-6 * max(abs(optimum), 1.0)
    first = bound.x[len(bound.x) - len(parts.shared) :]
    run = SplitRun(backend, options, PartPool(1), math.inf)
    chosen = consensus(program, parts, first[None], np.ones(1), run)
    assert chosen is not None
    fixed = parts.fixed(blocks, chosen)[k]
    plan = solve_part(PartJob(fixed, "plan", 1e-6, 60.0, backend, options))
    assert fixed.violation(plan.x) <= FEASIBILITY_TOLERANCE
    assert plan.value == pytest.approx(_optimum(fixed, backend), rel=1e-4, abs=1e-3)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_consensus_meets_the_first_stages_own_rows(data: st.DataObject) -> None:
    _, program, parts = _SEASON
    assert parts is not None
    n = len(parts.shared)
    lower, upper = program.col_lower[parts.shared], program.col_upper[parts.shared]
    top = np.where(np.isfinite(upper), upper, 10_000.0)
    count = data.draw(st.integers(1, 4))
    shares = data.draw(st.lists(st.floats(0.0, 1.0), min_size=count * n, max_size=count * n))
    copies = lower + (top - lower) * np.reshape(shares, (count, n))
    weights = np.asarray(data.draw(st.lists(st.floats(0.1, 1.0), min_size=count, max_size=count)))
    run = SplitRun("ortools", SolverOptions(), PartPool(1), math.inf)

    first = consensus(program, parts, copies, weights, run)

    assert first is not None
    x = np.zeros(program.n_columns)
    x[parts.shared] = first
    rows = parts.shared_rows
    activity = program.matrix.tocsr()[rows] @ x
    assert (activity >= program.row_lower[rows] - FEASIBILITY_TOLERANCE).all()
    assert (activity <= program.row_upper[rows] + FEASIBILITY_TOLERANCE).all()
    integer = program.integer[parts.shared]
    np.testing.assert_array_equal(first[integer], np.round(first[integer]))


_SEASON = _season("dual-sourcing")


def test_solve_splits_by_scenario_from_the_rules_count(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, program, _ = _season("basics-replenishment")
    optimum = _optimum(program, backend)
    monkeypatch.setattr(by_scenario, "MIN_SCENARIOS", 2)

    plan = fs.solve(scenario, backend, method="decompose", time_limit=120)

    assert "by scenario" in plan.solver_message
    assert plan.method == "decompose"
    assert plan.objective <= optimum + 1e-6 * abs(optimum)
    assert plan.bound >= optimum - 1e-6 * abs(optimum)


def test_a_run_past_its_deadline_still_has_a_valid_bound() -> None:
    _, program, parts = _season("basics-replenishment")
    assert parts is not None
    optimum = _optimum(program, "ortools")
    run = SplitRun("ortools", SolverOptions(), PartPool(2), time.perf_counter() + 0.5, rounds=1)
    try:
        state = split_solve(program, parts, run)
    finally:
        run.pool.close()

    assert state.bound >= optimum - 1e-6 * abs(optimum)
    assert state.x is None or program.violation(state.x) <= FEASIBILITY_TOLERANCE


class DiesWhenUnpickled:
    """Ends the process that unpickles it (a worker out of memory, or killed)."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (3,)


def test_a_part_whose_process_dies_is_lost_and_the_next_round_runs_on_new_processes() -> None:
    _, program, parts = _season(SPLIT[0])
    assert parts is not None
    block = parts.programs(program)[0]
    job = PartJob(block, "lp", 1e-6, 60.0, "ortools", SolverOptions())
    dying = PartJob(DiesWhenUnpickled(), "lp", 1e-6, 60.0, "ortools", SolverOptions())  # type: ignore[arg-type]
    pool = PartPool(2)
    try:
        first = pool.map([dying, job], seconds=60.0)
        assert first[0] is LOST
        assert pool.lost >= 1
        second = pool.map([job, job], seconds=60.0)
    finally:
        pool.close()

    expected = solve_part(job).bound
    assert [answer.bound for answer in second] == pytest.approx([expected, expected])


def test_the_split_on_a_dask_local_cluster_gives_the_same_plan_as_in_this_process() -> None:
    pytest.importorskip("distributed")
    _, program, parts = _season("group-buy")
    assert parts is not None
    options = SolverOptions(gap=1e-6, seed=3)
    here = split_solve(program, parts, SplitRun("ortools", options, PartPool(1), math.inf, 1))
    pool = PartPool(2, scheduler="local")
    try:
        on_dask = split_solve(program, parts, SplitRun("ortools", options, pool, math.inf, 1))
        assert pool.notes == []
    finally:
        pool.close()

    assert here.x is not None
    assert on_dask.x is not None
    np.testing.assert_array_equal(here.x, on_dask.x)
    assert here.bound == on_dask.bound
    assert here.rounds == on_dask.rounds


def test_an_unreachable_dask_scheduler_leaves_the_parts_to_local_processes() -> None:
    pytest.importorskip("distributed")
    _, program, parts = _season("group-buy")
    assert parts is not None
    job = PartJob(parts.programs(program)[0], "lp", 1e-6, 60.0, "ortools", SolverOptions())
    pool = PartPool(1, scheduler="tcp://127.0.0.1:1")
    try:
        answers = pool.map([job], seconds=60.0)
    finally:
        pool.close()

    assert "local processes" in " ".join(pool.notes)
    assert answers[0].bound == pytest.approx(solve_part(job).bound)


def test_past_the_deadline_no_first_stage_is_scored_and_the_start_is_kept() -> None:
    _, program, parts = _season("group-buy")
    assert parts is not None
    start = get_backend("ortools").solve(program, SolverOptions(gap=0.05, node_limit=50))
    assert start.status.has_plan
    run = SplitRun("ortools", SolverOptions(), PartPool(1), time.perf_counter() - 1.0, rounds=2)

    state = split_solve(program, parts, run, start=start.x)

    assert state.plans == 0
    assert state.rounds == 0
    assert state.x is start.x
    assert any("no time was left" in note for note in state.notes)
    assert state.bound >= _optimum(program, "ortools") - 1e-6 * abs(state.bound)
