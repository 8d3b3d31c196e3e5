"""The repair's one-style re-plans a few at a time, merged in order (``pairs.py``)."""

from __future__ import annotations

import math
import signal
from typing import Any

import numpy as np
import pytest
from test_decompose import generated_season
from test_decompose_style_fix import lagrangian_plan, search_from, shared_capacity

from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model import build_program
from flexsupply.solve.decompose import pairs
from flexsupply.solve.decompose.pairs import Pairs, next_batch, row_styles
from flexsupply.solve.decompose.primal import PlanLimits
from flexsupply.solve.decompose.style_fix import StyleFix
from flexsupply.solve.decompose.sweeps import Job

# Rows touched by each of 4 styles: 0 and 1 share row 0, 2 and 3 row 1, 1 also touches row 2.
TOUCHES = np.array(
    [
        [True, False, False],
        [True, False, True],
        [False, True, False],
        [False, True, False],
    ]
)


@pytest.mark.parametrize(
    ("queue", "width", "batch", "left"),
    [
        ([0, 1, 2, 3], 2, [0, 2], [1, 3]),  # 1 shares row 0 with 0: the next free style pairs
        ([1, 3, 0, 2], 2, [1, 3], [0, 2]),  # 3 shares no row with 1
        ([0, 1], 2, [0], [1]),  # no partner: alone
        ([0, 1, 2, 3], 1, [0], [1, 2, 3]),  # one at a time
        ([0, 2, 1, 3], 3, [0, 2], [1, 3]),  # 1 and 3 both clash with the batch
    ],
)
def test_a_batch_takes_the_next_styles_that_share_no_row_with_it(
    queue: list[int], width: int, batch: list[int], left: list[int]
) -> None:
    taken = next_batch(queue, TOUCHES, width)

    assert taken == batch
    assert queue == left


def test_row_styles_marks_the_styles_with_a_column_in_each_row() -> None:
    program = shared_capacity(60.0, cash=True)  # row 0: three styles; row 1: also the shared cash

    touches = row_styles(StyleFix(program), np.array([1, 0]))

    np.testing.assert_array_equal(touches, np.ones((3, 2), dtype=bool))


def test_two_at_a_time_are_feasible_never_worse_and_the_same_on_one_process() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    start = dive(program, math.inf)
    assert start is not None
    solution = lagrangian_plan(program)
    plans, batches = [], []
    for processes in (2, 1):
        limits = PlanLimits(single_nodes=5, single_width=2, single_processes=processes)
        search = search_from(program, start.copy(), limits, gap=1e-4)
        free = np.ones(search.styles().n_styles, dtype=bool)
        taken: list[list[int]] = []
        spy = _spy_batches(taken)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pairs, "next_batch", spy)
            search.one_style_at_a_time(free, solution)
        assert search._pairs is not None
        search._pairs.close()
        assert search.state.x is not None
        plans.append(search.state.x)
        batches.append(taken)

    two, one = plans
    np.testing.assert_array_equal(two, one)
    assert batches[0] == batches[1]
    assert any(len(batch) == 2 for batch in batches[0])  # some styles did run side by side
    assert program.violation(two) <= FEASIBILITY_TOLERANCE
    assert program.value(two) >= program.value(start)


def _spy_batches(taken: list[list[int]]) -> Any:
    """Returns ``next_batch`` recording each batch it takes into ``taken``."""
    real = pairs.next_batch

    def spy(queue: list[int], touches: np.ndarray, width: int) -> list[int]:
        batch = real(queue, touches, width)
        taken.append(batch)
        return batch

    return spy


def test_a_style_the_merge_left_out_is_replanned_from_the_merged_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Capacity 60 and 50 used: the 10 left fit either style 0 (3 a unit) or style 1 (2 a unit).
    # The solution breaks no row, so styles 0 and 1 share a batch and both take the 10.
    program = shared_capacity(60.0, cash=False)
    start = np.array([0.0, 30.0, 20.0, 0.0])
    limits = PlanLimits(single_width=2, single_processes=1)
    search = search_from(program, start, limits, gap=1e-9)
    calls: list[int] = []
    real = pairs.replan

    def counted(fix: StyleFix, job: Job) -> Any:
        calls.append(int(np.flatnonzero(job.free)[0]))
        return real(fix, job)

    monkeypatch.setattr(pairs, "replan", counted)
    search.one_style_at_a_time(np.array([True, True, False]), start)

    # Together they break the row: style 0's answer is kept, style 1 is re-planned once more
    # from the merged plan (no room left, so no better plan).
    assert calls == [0, 1, 1]
    assert search.state.x is not None
    np.testing.assert_allclose(search.state.x[:3], [10.0, 30.0, 20.0], atol=1e-7)


def test_helper_processes_leave_ctrl_c_to_the_main_process() -> None:
    program = shared_capacity(60.0, cash=False)
    runner = Pairs(StyleFix(program), processes=2)
    try:
        runner.start()
        assert runner._pool is not None
        assert runner._pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN
    finally:
        runner.close()


@pytest.mark.parametrize(("rest", "replanned"), [(True, [0, 2]), (False, [0])])
def test_after_the_freed_styles_the_others_the_plan_loses_on_are_replanned(
    rest: bool, replanned: list[int]
) -> None:
    program = shared_capacity(60.0, cash=False)
    start = np.array([0.0, 30.0, 20.0, 0.0])
    solution = np.array([10.0, 30.0, 25.0, 0.0])  # losses: 30 on style 0, 0 on 1, 5 on 2
    limits = PlanLimits(single_rest=rest, single_processes=1)
    search = search_from(program, start, limits, gap=1e-9)
    taken: list[list[int]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pairs, "next_batch", _spy_batches(taken))
        search.one_style_at_a_time(np.array([True, False, False]), solution)

    assert [style for batch in taken for style in batch] == replanned
    assert search.state.x is not None
    np.testing.assert_allclose(search.state.x[:3], [10.0, 30.0, 20.0], atol=1e-7)
