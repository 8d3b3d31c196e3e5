"""RINS from the LP relaxation on the plan side (``solve/decompose/rins.py``)."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from test_decompose import generated_season

from flexsupply.backends import SolverOptions, get_backend, interrupt
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model import build_program
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.master import Patterns
from flexsupply.solve.decompose.primal import PlanLimits, PlanSearch, SearchState
from flexsupply.solve.decompose.relaxation import lp_relaxation
from flexsupply.solve.decompose.rins import (
    SHARE,
    TOLERANCE,
    Rins,
    agreeing,
    rins_deadline,
    rins_rounds,
)


def one_row(integer: list[bool]) -> LinearProgram:
    """Maximise Σ x over 0 ≤ x ≤ 3 with Σ x ≤ 5; ``integer`` marks the integer columns."""
    n = len(integer)
    return LinearProgram(
        objective=np.ones(n),
        offset=0.0,
        matrix=sp.csr_matrix(np.ones((1, n))),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([5.0]),
        col_lower=np.zeros(n),
        col_upper=np.full(n, 3.0),
        integer=np.array(integer),
        maximize=True,
        column_blocks={},
        row_blocks={},
    )


@pytest.mark.parametrize(
    ("relaxed", "x", "integer", "expected"),
    [
        ([0.0, 0.5, 1.0], [0.0, 1.0, 1.0], [True, True, True], [0, 2]),
        # Within the tolerance agrees; a continuous column is never fixed.
        ([TOLERANCE / 2, 2.0, 1.0], [0.0, 2.0, 3.0], [True, False, True], [0]),
        ([0.0, 0.0], [1.0, 1.0], [True, True], []),
    ],
)
def test_agreeing_fixes_the_integers_the_lp_and_the_plan_share(
    relaxed: list[float], x: list[float], integer: list[bool], expected: list[int]
) -> None:
    program = one_row(integer)

    got = agreeing(program, np.array(relaxed), np.array(x))

    np.testing.assert_array_equal(got, expected)


@pytest.fixture(scope="module")
def season_start() -> tuple[LinearProgram, np.ndarray, np.ndarray]:
    """The generated season of 8 styles in maximisation form, its LP solution and the dive."""
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    assert program.maximize
    relaxed = lp_relaxation(program, None).x
    start = dive(program, math.inf)
    assert start is not None
    return program, relaxed, start


def test_the_neighbourhood_optimum_is_pulps_on_the_program_with_the_agreeing_columns_fixed(
    season_start: tuple[LinearProgram, np.ndarray, np.ndarray],
) -> None:
    program, relaxed, start = season_start
    fixed = agreeing(program, relaxed, start)
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    lower[fixed] = upper[fixed] = np.round(start[fixed])
    outside = get_backend("pulp").solve(
        replace(program, col_lower=lower, col_upper=upper), SolverOptions(gap=1e-9)
    )

    found = Rins(program, [relaxed], gap=1e-9).solve(start, None, math.inf)

    assert found is not None
    assert 0 < len(fixed) < int(program.integer.sum())
    assert program.violation(found) <= FEASIBILITY_TOLERANCE
    assert outside.status == "optimal"
    assert program.value(found) == pytest.approx(outside.objective, rel=1e-6)
    assert program.value(found) >= program.value(start) - 1e-6


def test_rins_rounds_stop_at_the_first_round_that_finds_nothing_better(
    season_start: tuple[LinearProgram, np.ndarray, np.ndarray],
) -> None:
    program, relaxed, start = season_start
    best = [start]

    def keep(x: np.ndarray) -> bool:
        better = program.value(x) > program.value(best[-1]) + 1e-6
        if better:
            best.append(x)
        return better

    better = rins_rounds(
        Rins(program, [relaxed], gap=1e-9),
        lambda: best[-1],
        keep,
        10,
        None,
        math.inf,
        lambda: False,
    )

    assert better == len(best) - 1 < 10
    values = [program.value(x) for x in best]
    assert values == sorted(values)
    assert all(program.violation(x) <= FEASIBILITY_TOLERANCE for x in best)


def test_rins_rounds_do_nothing_when_told_to_stop(
    season_start: tuple[LinearProgram, np.ndarray, np.ndarray],
) -> None:
    program, relaxed, start = season_start
    search = Rins(program, [relaxed])

    assert rins_rounds(search, lambda: start, lambda _x: True, 3, 1, math.inf, lambda: True) == 0


def test_the_plan_sides_rins_is_feasible_never_worse_and_the_same_twice(
    season_start: tuple[LinearProgram, np.ndarray, np.ndarray],
) -> None:
    program, relaxed, start = season_start
    plans = []
    for _ in range(2):
        state = SearchState(start.copy(), program.value(start), math.inf)
        search = PlanSearch(
            program,
            get_backend("ortools"),
            SolverOptions(gap=1e-9),
            (),
            state,
            Patterns.of(program),
            PlanLimits(repairs=0, style_sweeps=0, rins_rounds=3, rins_nodes=1),
            math.inf,
            float,
            relaxed=relaxed,
        )
        search.run()
        assert state.x is not None
        plans.append(state.x)

    first, second = plans
    np.testing.assert_array_equal(first, second)
    assert program.violation(first) <= FEASIBILITY_TOLERANCE
    assert program.value(first) >= program.value(start) - 1e-6


def test_ctrl_c_ends_the_rins_rounds_before_the_next_mip(
    season_start: tuple[LinearProgram, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    program, relaxed, start = season_start
    monkeypatch.setattr(interrupt, "requested", lambda: True)
    search = Rins(program, [relaxed])

    assert rins_rounds(search, lambda: start, lambda _x: True, 3, 1, math.inf, lambda: False) == 0


def test_each_round_takes_the_next_guide_and_the_rounds_end_when_every_guide_failed(
    season_start: tuple[LinearProgram, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    program, relaxed, start = season_start
    search = Rins(program, [relaxed, start])
    guides: list[int] = []
    answers = iter([start, None, start, None, None, start])

    def solve(_x: np.ndarray, _nodes: int | None, _deadline: float, guide: int = 0) -> Any:
        guides.append(guide)
        return next(answers)

    monkeypatch.setattr(search, "solve", solve)

    better = rins_rounds(
        search, lambda: start, lambda x: x is start, 10, 1, math.inf, lambda: False
    )

    # Better, nothing, better, then nothing from either guide in a row: the rounds end.
    assert guides == [0, 1, 0, 1, 0]
    assert better == 2


@pytest.mark.parametrize("left", [None, 0.0, 10.0])
def test_the_rins_rounds_leave_the_sweeps_the_rest_of_the_time(left: float | None) -> None:
    before = time.perf_counter()

    deadline = rins_deadline(left)

    if left is None:
        assert deadline == math.inf
    else:
        assert before + SHARE * left <= deadline <= time.perf_counter() + SHARE * left
