"""Fix-and-optimise by style several groups at a time, merged in order (``sweeps.py``)."""

from __future__ import annotations

import math
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest
import scipy.sparse as sp
from test_decompose import generated_season

from flexsupply.backends import SolverOptions, get_backend, interrupt
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model import build_program
from flexsupply.model.program import SHARED, LinearProgram
from flexsupply.solve.decompose import primal
from flexsupply.solve.decompose.master import Patterns
from flexsupply.solve.decompose.primal import PlanLimits, PlanSearch, SearchState
from flexsupply.solve.decompose.style_fix import StyleFix
from flexsupply.solve.decompose.sweeps import Sweeps, merge, sweep_processes, tight_groups


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
def test_sweeps_two_at_a_time_are_feasible_never_worse_and_the_same_on_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    start = dive(program, math.inf)
    assert start is not None
    sizes = np.bincount(program.styles()[program.integer & (program.styles() != SHARED)])
    # Two styles a group: 4 groups of the 8 styles, 2 batches of 2 a sweep.
    limits = PlanLimits(
        repairs=0,
        style_sweeps=1,
        style_integers=2 * int(sizes.max()),
        style_nodes=20,
        style_width=2,
    )
    plans = []
    for processes in (2, 1):
        monkeypatch.setattr(primal, "sweep_processes", lambda _w, _n, p=processes: p)
        state = SearchState(start.copy(), program.value(start), math.inf)
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
        plans.append(state.x)

    two, one = plans
    np.testing.assert_array_equal(two, one)
    assert program.violation(two) <= FEASIBILITY_TOLERANCE
    assert program.value(two) > program.value(start)


def test_tight_groups_cover_every_style_once_and_start_from_the_tightest_row() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    start = dive(program, math.inf)
    assert start is not None
    fix = StyleFix(program)
    sizes = np.bincount(program.styles()[program.integer & (program.styles() != SHARED)])

    groups = np.array(tight_groups(fix, start, size=2 * int(sizes.max())))

    assert len(groups) >= 2
    np.testing.assert_array_equal(groups.sum(axis=0), sizes > 0)
    assert all(sizes[g].sum() <= 2 * sizes.max() or g.sum() == 1 for g in groups)


def test_tight_groups_put_the_styles_of_the_fullest_row_together() -> None:
    # Styles 0 and 1 fill row 0 (room 0); styles 2 and 3 leave half of row 1 free.
    program = LinearProgram(
        objective=np.ones(4),
        offset=0.0,
        matrix=sp.csr_matrix(np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]])),
        row_lower=np.full(2, -np.inf),
        row_upper=np.array([2.0, 4.0]),
        col_lower=np.zeros(4),
        col_upper=np.full(4, 2.0),
        integer=np.ones(4, dtype=bool),
        maximize=True,
        column_blocks={},
        row_blocks={},
        column_style=np.arange(4),
    )

    groups = tight_groups(StyleFix(program), np.ones(4), size=2)

    np.testing.assert_array_equal(groups[0], [True, True, False, False])
    np.testing.assert_array_equal(groups[1], [False, False, True, True])


def test_a_group_the_merge_left_out_is_replanned_from_the_merged_plan() -> None:
    # Alone, style 0 would take q0 = 1 and style 1 q1 = 1; together they break q0 + q1 ≤ 1.5.
    program = two_styles(1.5)
    sweeps = Sweeps(StyleFix(program), width=2, processes=1)
    best = [np.zeros(3)]

    for plan in sweeps.sweep(GROUPS, lambda: best[0], None, math.inf, lambda: False):
        best.append(plan)
        best[0] = plan

    plans = best[1:]
    assert len(plans) == 2
    np.testing.assert_allclose(plans[0], [0.0, 1.0, 1.0], atol=1e-7)  # the better answer alone
    np.testing.assert_allclose(plans[1], [0.5, 1.0, 1.0], atol=1e-7)  # style 0 again, from it


def test_ctrl_c_ends_the_sweep_before_its_next_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    program = two_styles(2.0)
    sweeps = Sweeps(StyleFix(program), width=1, processes=1)
    monkeypatch.setattr(interrupt, "requested", lambda: True)

    assert list(sweeps.sweep(GROUPS, lambda: np.zeros(3), None, math.inf, lambda: False)) == []


def test_a_pool_that_breaks_leaves_the_batch_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = two_styles(1.5)
    alone = Sweeps(StyleFix(program), width=2, processes=1)
    broken = Sweeps(StyleFix(program), width=2, processes=2)

    def no_pool() -> None:
        raise BrokenProcessPool("a sweep process died")

    monkeypatch.setattr(broken, "_started", no_pool)

    expected = alone.batch(GROUPS, np.zeros(3), None, math.inf)
    plan, left_out = broken.batch(GROUPS, np.zeros(3), None, math.inf)

    assert broken.processes == 1
    assert expected[0] is not None
    assert plan is not None
    np.testing.assert_array_equal(plan, expected[0])
    assert left_out == expected[1] == [0]
