"""Fix-and-optimise by style several groups at a time, merged in order (``sweeps.py``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from strategies import small_seasons
from test_decompose import generated_season, monolithic_optimum, season

from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model import build_program
from flexsupply.model.program import SHARED, LinearProgram
from flexsupply.solve.decompose.master import Patterns
from flexsupply.solve.decompose.primal import PlanLimits, PlanSearch, SearchState
from flexsupply.solve.decompose.style_fix import StyleFix
from flexsupply.solve.decompose.sweeps import Sweeps, merge, sweep_processes


def two_styles(capacity: float) -> LinearProgram:
    """Maximise q0 + 2 q1 + s over 0 ≤ q ≤ 1 with q0 + q1 ≤ ``capacity``; s (shared) ≤ 1."""
    return LinearProgram(
        objective=np.array([1.0, 2.0, 1.0]),
        offset=0.0,
        matrix=sp.csr_matrix(np.array([[1.0, 1.0, 0.0]])),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([capacity]),
        col_lower=np.zeros(3),
        col_upper=np.ones(3),
        integer=np.zeros(3, dtype=bool),
        maximize=True,
        column_blocks={},
        row_blocks={},
        column_style=np.array([0, 1, SHARED]),
    )


GROUPS = [np.array([True, False]), np.array([False, True])]


@pytest.mark.parametrize(
    ("capacity", "answers", "expected"),
    [
        # Both answers fit together: each group's styles from its answer, shared from the first.
        (2.0, [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], [1.0, 1.0, 1.0]),
        # Together they break the capacity row: the better answer alone.
        (1.0, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [0.0, 1.0, 0.0]),
        # One answer no better than the start: the other alone.
        (2.0, [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [0.0, 1.0, 0.0]),
        # A missing answer (the sub-MIP found none) does not count.
        (2.0, [None, [0.0, 1.0, 0.0]], [0.0, 1.0, 0.0]),
    ],
)
def test_merge_takes_the_best_feasible_combination_of_the_answers(
    capacity: float, answers: list[list[float] | None], expected: list[float]
) -> None:
    program = two_styles(capacity)
    arrays = [None if a is None else np.array(a) for a in answers]

    merged = merge(program, program.styles(), np.zeros(3), GROUPS, arrays)

    assert merged is not None
    np.testing.assert_allclose(merged, expected)


def test_merge_returns_none_when_no_answer_is_better() -> None:
    program = two_styles(2.0)
    start = np.array([0.0, 1.0, 0.0])

    assert merge(program, program.styles(), start, GROUPS, [np.zeros(3), None]) is None


@pytest.mark.parametrize("width", [1, 2, 3])
def test_sweep_processes_never_exceed_the_width(width: int) -> None:
    assert sweep_processes(None, width) <= width
    assert sweep_processes(1, width) == 1


@pytest.mark.slow
def test_the_plan_does_not_depend_on_how_many_processes_run_a_batch() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    start = dive(program, math.inf)
    assert start is not None
    fix = StyleFix(program)
    groups = fix.groups(seed=1, size=40)[:2]
    answers = []
    for processes in (1, 2):
        sweeps = Sweeps(fix, width=2, processes=processes)
        try:
            answers.append(sweeps.batch(groups, start, 20, math.inf))
        finally:
            sweeps.close()

    one, two = answers
    assert (one is None) == (two is None)
    if one is not None and two is not None:
        np.testing.assert_array_equal(one, two)
        assert program.violation(one) <= FEASIBILITY_TOLERANCE
        assert program.value(one) > program.value(start)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=small_seasons())
def test_sweeps_two_at_a_time_are_feasible_and_never_worse_than_the_start(
    data: dict[str, Any],
) -> None:
    """The sub-MIPs run on highspy whatever the backend (``style_fix.py``)."""
    program, _ = season(data)
    start = dive(program, math.inf)
    assert start is not None
    state = SearchState(start, program.value(start), math.inf)
    limits = PlanLimits(repairs=0, style_sweeps=3, style_integers=10, style_width=2)
    search = PlanSearch(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        (),
        state,
        Patterns.of(program),
        limits,
        math.inf,
        float,
    )

    search.by_style()

    assert state.x is not None
    assert program.violation(state.x) <= FEASIBILITY_TOLERANCE
    assert state.value >= program.value(start) - 1e-9
    assert state.value <= monolithic_optimum(program) + 1e-6 * max(1.0, abs(state.value))
