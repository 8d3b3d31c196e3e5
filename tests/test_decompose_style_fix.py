"""Fix-and-optimise by style: plans feasible for the whole season, never worse than the start."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from strategies import small_scenarios_with_limits, small_seasons
from test_decompose import generated_season, monolithic_optimum, season

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model import build_program
from flexsupply.model.program import SHARED, LinearProgram
from flexsupply.solve.decompose import partition
from flexsupply.solve.decompose.master import Patterns
from flexsupply.solve.decompose.primal import PlanLimits, PlanSearch, SearchState
from flexsupply.solve.decompose.style_fix import StyleFix, broken_rows
from flexsupply.solve.decompose.subproblems import Task, blocks_of, priced_objective, solve_task
from flexsupply.solve.methods import decompose_settings
from flexsupply.solve.settings import SolveSettings


def lagrangian_plan(program: LinearProgram) -> np.ndarray:
    """Every style's best plan at zero prices, as if it had the factories to itself."""
    parts = partition(program)
    blocks = blocks_of(parts)
    options = SolverOptions(engine="highs", gap=1e-9)
    zero = np.zeros(len(parts.linking_rows))
    glued = np.zeros(parts.program.n_columns)
    for k, block in enumerate(blocks):
        solution = solve_task(
            block.program, Task(k, priced_objective(block, zero), "ortools", options)
        )
        glued[block.columns] = solution.x
    return glued[: parts.n_original]


def test_broken_rows_are_the_rows_a_plan_breaks() -> None:
    program, _ = season(small_scenarios_with_limits(cash=True, warehouse=True))
    x = lagrangian_plan(program)
    rows = broken_rows(program, x)
    kept = np.setdiff1d(np.arange(program.n_rows), rows)
    holding = replace(
        program,
        matrix=program.matrix[kept],
        row_lower=program.row_lower[kept],
        row_upper=program.row_upper[kept],
    )

    assert len(rows) > 0
    assert holding.violation(x) <= FEASIBILITY_TOLERANCE
    for row in rows:
        alone = replace(
            program,
            matrix=program.matrix[[row]],
            row_lower=program.row_lower[[row]],
            row_upper=program.row_upper[[row]],
        )
        assert alone.violation(x) > FEASIBILITY_TOLERANCE


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_freeing_every_style_without_a_node_limit_reaches_the_optimum(backend: str) -> None:
    program, _ = season(small_scenarios_with_limits(cash=True, warehouse=True))
    styles = StyleFix(program, gap=1e-9)
    point = lagrangian_plan(program)
    free = styles.styles_in(broken_rows(program, point))

    x = styles.solve(free, point, None, math.inf)

    # Both styles share the factories whose capacity the Lagrangian plan breaks.
    assert free.all()
    assert x is not None
    optimum = float(get_backend(backend).solve(program, SolverOptions(gap=1e-9)).objective)
    assert program.value(x) == pytest.approx(optimum, rel=1e-6)


def test_fixed_styles_keep_every_column_of_the_start() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    start = dive(program, math.inf)
    assert start is not None
    styles = StyleFix(program)
    style = program.styles()
    for free in styles.groups(seed=0, size=40):
        x = styles.solve(free, start, 20, math.inf, start=start)

        assert x is not None
        assert program.violation(x) <= FEASIBILITY_TOLERANCE
        assert program.value(x) >= program.value(start) - 1e-6 * abs(program.value(start))
        fixed = (style != SHARED) & ~free[np.maximum(style, 0)]
        np.testing.assert_allclose(x[fixed], start[fixed], atol=1e-6)


def test_groups_cover_every_style_once() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    styles = StyleFix(program)

    groups = np.array(styles.groups(seed=3, size=40))

    assert len(groups) >= 2
    np.testing.assert_array_equal(groups.sum(axis=0), np.ones(styles.n_styles))


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=small_seasons())
def test_plan_side_is_feasible_and_never_worse_than_its_start(data: dict[str, Any]) -> None:
    program, _ = season(data)
    start = dive(program, math.inf)
    assert start is not None
    patterns = Patterns.of(program)
    patterns.add_round(lagrangian_plan(program), np.unique(program.styles()[program.styles() >= 0]))
    state = SearchState(start, program.value(start), math.inf)
    search = PlanSearch(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        (),
        state,
        patterns,
        PlanLimits(),
        math.inf,
        float,
    )

    search.run()

    assert state.x is not None
    assert program.violation(state.x) <= FEASIBILITY_TOLERANCE
    assert state.value >= program.value(start) - 1e-9
    assert state.value <= monolithic_optimum(program) + 1e-6 * max(1.0, abs(state.value))


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_decomposition_is_never_worse_than_its_warm_start(backend: str) -> None:
    plan = fs.solve(
        generated_season(), backend, method="decompose", iterations=1, time_limit=3600, workers=1
    )

    assert plan.extra["warm_start_objective"] is not None
    assert plan.objective >= plan.extra["warm_start_objective"] - 1e-6


def test_node_limit_bounds_the_repair_and_fix_and_optimise_by_style() -> None:
    chosen = decompose_settings(SolveSettings(node_limit=7))

    assert chosen.plan.repair_nodes == chosen.plan.style_nodes == 7


def shared_capacity(capacity: float, cash: bool) -> LinearProgram:
    """Three styles, one quantity each, sharing one capacity row (and a cash row when asked)."""
    rows = [[1.0, 1.0, 1.0, 0.0]]
    lower, upper = [-np.inf], [capacity]
    if cash:  # cash = 100 - quantities ≥ 0: the shared cash column settles this row
        rows.append([1.0, 1.0, 1.0, 1.0])
        lower.append(100.0)
        upper.append(100.0)
    return LinearProgram(
        objective=np.array([3.0, 2.0, 1.0, 0.0]),
        offset=0.0,
        matrix=sp.csr_matrix(np.array(rows)),
        row_lower=np.array(lower),
        row_upper=np.array(upper),
        col_lower=np.zeros(4),
        col_upper=np.array([100.0, 100.0, 100.0, np.inf]),
        integer=np.zeros(4, dtype=bool),
        maximize=True,
        column_blocks={},
        row_blocks={},
        column_style=np.array([0, 1, 2, SHARED]),
    )


@pytest.mark.parametrize(
    ("capacity", "freed"),
    [
        (80.0, [True, False, False]),  # excess 20: style 0 alone carries 50 ≥ 2 × 20
        (60.0, [True, True, False]),  # excess 40: 50 < 80 ≤ 50 + 30
        (10.0, [True, True, True]),  # excess 90: no set carries 180, every loaded style
        (100.0, [False, False, False]),  # nothing broken
    ],
)
def test_styles_that_load_a_broken_row_most_are_freed_until_twice_its_excess(
    capacity: float, freed: list[bool]
) -> None:
    program = shared_capacity(capacity, cash=True)
    point = np.array([50.0, 30.0, 20.0, 0.0])

    np.testing.assert_array_equal(StyleFix(program).to_free(point), freed)


def test_repair_of_the_freed_styles_is_their_best_plan_with_the_others_kept() -> None:
    program = shared_capacity(60.0, cash=False)
    point = np.array([50.0, 30.0, 20.0, 0.0])
    styles = StyleFix(program, gap=1e-9)

    x = styles.solve(styles.to_free(point), point, None, math.inf)

    # Style 2 keeps its 20; styles 0 and 1 share the 40 left, the more valuable style 0 first.
    assert x is not None
    np.testing.assert_allclose(x[:3], [40.0, 0.0, 20.0], atol=1e-7)


def search_from(program: LinearProgram, start: Any, limits: PlanLimits, gap: float) -> PlanSearch:
    """The plan side of ``program`` with ``start`` as its best plan, no deadline."""
    state = SearchState(start, program.value(start), math.inf)
    return PlanSearch(
        program,
        get_backend("ortools"),
        SolverOptions(gap=gap),
        (),
        state,
        Patterns.of(program),
        limits,
        math.inf,
        float,
    )


def test_one_style_at_a_time_gives_each_style_its_best_response_in_turn() -> None:
    program = shared_capacity(60.0, cash=False)
    start = np.array([0.0, 30.0, 20.0, 0.0])
    search = search_from(program, start, PlanLimits(), gap=1e-9)
    state = search.state

    search.one_style_at_a_time(np.array([True, True, True]))

    # Style 0 takes the 10 left of the capacity; styles 1 and 2 are then already at their best
    # (the optimum, 60 of style 0, is not one style's move away).
    assert state.x is not None
    np.testing.assert_allclose(state.x[:3], [10.0, 30.0, 20.0], atol=1e-7)
    assert state.found_by == "repair one style at a time"


def test_one_style_at_a_time_is_feasible_never_worse_and_repeatable() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    start = dive(program, math.inf)
    assert start is not None
    plans = []
    for _ in range(2):
        search = search_from(program, start, PlanLimits(single_nodes=5), gap=1e-4)
        state = search.state
        search.one_style_at_a_time(np.ones(search.styles().n_styles, dtype=bool))
        assert state.x is not None
        assert program.violation(state.x) <= FEASIBILITY_TOLERANCE
        assert state.value >= program.value(start)
        plans.append(state.x)
    np.testing.assert_array_equal(plans[0], plans[1])


@pytest.mark.parametrize(
    ("solution", "plan"),
    [
        (None, [40.0, 0.0, 20.0]),  # ascending: style 0 takes the 30 units left
        ([20.0, 100.0, 20.0, 0.0], [10.0, 30.0, 20.0]),  # style 1 loses most (200), goes first
    ],
)
def test_one_style_at_a_time_goes_by_what_the_styles_lose_against_the_lagrangian_plan(
    solution: list[float] | None, plan: list[float]
) -> None:
    program = shared_capacity(60.0, cash=False)
    search = search_from(program, np.array([10.0, 0.0, 20.0, 0.0]), PlanLimits(), gap=1e-9)
    lagrangian = None if solution is None else np.array(solution)
    if lagrangian is not None:  # 3 x (20 - 10), 2 x (100 - 0), 1 x (20 - 20); not the shared
        np.testing.assert_allclose(search.losses(lagrangian), [30.0, 200.0, 0.0])

    search.one_style_at_a_time(np.array([True, True, True]), lagrangian)

    assert search.state.x is not None
    np.testing.assert_allclose(search.state.x[:3], plan, atol=1e-7)
