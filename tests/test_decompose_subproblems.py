"""Subproblems on highspy, kept loaded and re-priced: the backends' answer, any solve order."""

from __future__ import annotations

import threading
from dataclasses import replace
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
from flexsupply.solve.decompose.linking import partition
from flexsupply.solve.decompose.subproblems import (
    Task,
    blocks_of,
    on_highspy,
    priced_objective,
    solve_task,
)

EXACT = SolverOptions(engine="highs", gap=1e-9)
"""Subproblems solved to optimality (the comparisons need optima, not node-limited plans)."""


def program_of(cash: bool = True, warehouse: bool = True) -> Any:
    scenario = fs.Scenario.model_validate(small_scenarios_with_limits(cash, warehouse))
    return build_program(scenario, demand_scenarios(scenario))[0]


def priced(program: Any, scale: float) -> tuple[list[Any], list[Any]]:
    """Every block's program and its objective at ``scale`` times the LP duals (clipped)."""
    parts = partition(program)
    rows = parts.linking_rows
    duals = scale * relaxation.lp_relaxation(parts.program, None).duals[rows]
    low, up = parts.program.row_lower[rows], parts.program.row_upper[rows]
    mu = np.clip(
        duals, np.where(np.isfinite(low), -np.inf, 0.0), np.where(np.isfinite(up), np.inf, 0.0)
    )
    blocks = blocks_of(parts)
    return [b.program for b in blocks], [priced_objective(b, mu) for b in blocks]


@pytest.mark.parametrize(
    ("backend", "engine", "expected"),
    [
        ("ortools", "highs", True),
        ("pulp", "highs", True),
        ("pulp", None, True),
        ("ortools", None, False),
        ("ortools", "scip", False),
        ("pulp", "cbc", False),
    ],
)
def test_only_a_highs_engine_sends_subproblems_to_highspy(
    backend: str, engine: str | None, expected: bool
) -> None:
    task = Task(0, np.zeros(1), backend, SolverOptions(engine=engine))
    assert on_highspy(task) is expected


@pytest.mark.parametrize("scale", [0.0, 1.0, 2.0])
def test_highspy_subproblems_reach_the_other_engines_optimum_with_a_valid_bound(
    scale: float,
) -> None:
    programs, objectives = priced(program_of(), scale)
    for k, (program, objective) in enumerate(zip(programs, objectives, strict=True)):
        ours = solve_task(program, Task(k, objective, "pulp", EXACT))
        scip = solve_task(program, Task(k, objective, "ortools", replace(EXACT, engine="scip")))
        assert ours.status == scip.status == "optimal"
        tolerance = 1e-6 * max(1.0, abs(scip.objective))
        assert ours.objective == pytest.approx(scip.objective, abs=tolerance)
        assert ours.bound >= scip.objective - tolerance
        x = np.clip(ours.x, program.col_lower, program.col_upper)
        assert program.violation(x) <= FEASIBILITY_TOLERANCE
        assert float(objective @ x) == pytest.approx(ours.objective, abs=tolerance)


def fresh_thread_answers(programs: list[Any], tasks: list[Task]) -> list[Any]:
    """Solves ``tasks`` in a new thread: no block is loaded there yet."""
    answers: list[Any] = []
    thread = threading.Thread(
        target=lambda: answers.extend(solve_task(programs[t.block], t) for t in tasks)
    )
    thread.start()
    thread.join()
    return answers


@pytest.mark.parametrize("nodes", [None, 1])
def test_a_kept_block_repriced_answers_as_a_freshly_loaded_one(nodes: int | None) -> None:
    programs, first = priced(program_of(), 0.5)
    _, second = priced(program_of(), 2.0)
    options = replace(EXACT, gap=1e-4, node_limit=nodes)
    round_1 = [Task(k, c, "ortools", options) for k, c in enumerate(first)]
    # Round 2 at other prices, started from round 1's plans, in reverse order.
    kept_first = fresh_thread_answers(programs, round_1)
    round_2 = [Task(k, c, "ortools", options, kept_first[k].x) for k, c in enumerate(second)][::-1]
    answers: list[Any] = []

    def both_rounds() -> None:
        for task in round_1:
            solve_task(programs[task.block], task)
        answers.extend(solve_task(programs[t.block], t) for t in round_2)

    thread = threading.Thread(target=both_rounds)
    thread.start()
    thread.join()
    fresh = fresh_thread_answers(programs, round_2)
    for kept, new in zip(answers, fresh, strict=True):
        assert kept.status == new.status
        assert kept.bound == new.bound
        np.testing.assert_array_equal(kept.x, new.x)


def test_both_backends_give_the_same_plan_and_a_valid_bound_with_node_limited_subproblems() -> None:
    program = program_of()
    optimum = float(get_backend("ortools").solve(program, SolverOptions(gap=1e-9)).objective)
    settings = DecomposeSettings(executor="serial", subproblem_nodes=1, max_iterations=3)
    results = [
        decompose(program, get_backend(name), SolverOptions(gap=1e-4), 120.0, settings=settings)
        for name in ("ortools", "pulp")
    ]
    for result in results:
        assert result.status.has_plan
        assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
        assert result.bound >= optimum - 1e-6 * abs(optimum)
    assert results[0].objective == results[1].objective
    assert results[0].bound == results[1].bound
