"""The decomposition's progress line: every round and every better plan, in the program's sense."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_decompose import generated_season
from test_decompose_style_fix import search_from, shared_capacity

import flexsupply as fs
from flexsupply.backends import Progress, SolverOptions
from flexsupply.solve.decompose.primal import PlanLimits, SearchState
from flexsupply.solve.decompose.reporting import in_maxform, progress_line


@pytest.mark.parametrize("sense", [1.0, -1.0])
def test_progress_in_maxform_is_shown_in_the_programs_sense(sense: float) -> None:
    shown: list[Progress] = []
    options = in_maxform(SolverOptions(progress=shown.append), sense)
    assert options.progress is not None

    options.progress(Progress(2.0, 10.0, 12.0))
    options.progress(Progress(3.0, None, None))

    assert shown == [Progress(2.0, sense * 10.0, sense * 12.0), Progress(3.0, None, None)]


@pytest.mark.parametrize(
    ("x", "bound", "expected"),
    [
        (None, math.inf, Progress(5.0, None, None)),
        (np.zeros(1), math.inf, Progress(5.0, 7.0, None)),
        (np.zeros(1), 9.0, Progress(5.0, 7.0, 9.0)),
    ],
)
def test_progress_line_shows_time_plan_and_bound_once_known(
    x: np.ndarray | None, bound: float, expected: Progress
) -> None:
    shown: list[Progress] = []
    progress_line(shown.append, 1.0, lambda: 6.0)(SearchState(x, 7.0, bound))

    assert shown == [expected]


def test_plan_side_reports_each_better_plan_when_it_keeps_it() -> None:
    program = shared_capacity(60.0, cash=False)
    search = search_from(program, np.array([0.0, 30.0, 20.0, 0.0]), PlanLimits(), gap=1e-9)
    values: list[float] = []
    search.report = lambda state: values.append(state.value)

    search.one_style_at_a_time(np.array([True, True, True]))

    # Style 0 takes the 10 units of capacity left: 3 x 10 + 2 x 30 + 1 x 20; no other move helps.
    assert values == pytest.approx([110.0])


def test_progress_line_of_a_decomposition_shows_the_plan_sides_plans_as_they_come() -> None:
    shown: list[Progress] = []
    plan = fs.solve(
        generated_season(),
        "ortools",
        method="decompose",
        iterations=1,
        time_limit=3600,
        workers=1,
        progress=shown.append,
    )

    incumbents = [p.incumbent for p in shown if p.incumbent is not None]
    bounds = [p.bound for p in shown if p.bound is not None]
    assert incumbents[0] == pytest.approx(plan.extra["warm_start_objective"])
    assert incumbents == sorted(incumbents)
    assert bounds == sorted(bounds, reverse=True)
    # The plan side's plans reach the line before the solve ends, not only the warm start's.
    assert incumbents[-1] > incumbents[0] + 1.0
    assert incumbents[-1] <= bounds[-1] + 1e-6 * abs(bounds[-1])
    assert plan.bound == pytest.approx(bounds[-1], rel=1e-6)
