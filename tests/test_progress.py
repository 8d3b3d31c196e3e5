"""The live progress line: what it says, on a terminal and in a log."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from flexsupply.backends.result import Progress, SolverResult, Status
from flexsupply.cli.progress import ProgressLine, format_progress, live_note
from flexsupply.plan.summary import gap_text
from flexsupply.solve.progress import BestSoFar


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("progress", "note", "text"),
    [
        (
            Progress(12.0, 123_456.0, 130_000.0),
            None,
            "elapsed 12.3 s  incumbent 123,456  bound 130,000  gap 5.3 %",
        ),
        (Progress(1.0, None, 475_221.0), None, "elapsed 12.3 s  no plan yet  bound 475,221"),
        (Progress(1.0, 5_000.0, None), None, "elapsed 12.3 s  incumbent 5,000"),
        (None, "CBC reports no live bound", "elapsed 12.3 s  CBC reports no live bound"),
        (None, None, "elapsed 12.3 s"),
        (
            Progress(1.0, -2_000.0, -1_900.0),
            None,
            "elapsed 12.3 s  incumbent -2,000  bound -1,900  gap 5.0 %",
        ),
    ],
)
def test_format_progress(progress: Progress | None, note: str | None, text: str) -> None:
    assert format_progress(12.34, progress, note) == text


@pytest.mark.parametrize(
    ("backend", "engine", "note"),
    [
        ("pulp", None, "HiGHS under PuLP reports no live bound"),
        ("pulp", "cbc", "CBC reports no live bound"),
        ("pulp", "highs", "HiGHS under PuLP reports no live bound"),
        ("ortools", "scip", None),
        ("ortools", None, None),
    ],
)
def test_live_note_only_for_engines_without_live_bounds(
    backend: str, engine: str | None, note: str | None
) -> None:
    assert live_note(backend, engine) == note


def test_on_a_terminal_one_line_is_redrawn_in_place_and_cleared_at_the_end() -> None:
    stream, clock = io.StringIO(), Clock()
    with ProgressLine(stream, terminal=True, every=3600, clock=clock) as line:
        clock.now += 2.0
        line.update(Progress(2.0, 900.0, 1_000.0))
        clock.now += 1.5
        line.update(Progress(3.5, 1_000.0, 1_000.0))

    first = "elapsed 2.0 s  incumbent 900  bound 1,000  gap 11.1 %"
    second = "elapsed 3.5 s  incumbent 1,000  bound 1,000  gap 0.0 %"
    assert stream.getvalue() == (f"\r{first}\r{second.ljust(len(first))}\r{' ' * len(second)}\r")


def test_elsewhere_plain_lines_come_only_from_the_ticker() -> None:
    stream, clock = io.StringIO(), Clock()
    line = ProgressLine(stream, terminal=False, note="CBC reports no live bound", clock=clock)
    with line:
        line.update(Progress(1.0, 10.0, None))
        assert stream.getvalue() == ""
        clock.now += 5.0
        line.show()

    assert stream.getvalue() == "elapsed 5.0 s  incumbent 10\n"


def test_the_ticker_redraws_while_nothing_is_reported() -> None:
    stream = io.StringIO()
    with ProgressLine(stream, terminal=False, note="CBC reports no live bound", every=0.01):
        import time

        time.sleep(0.1)

    lines = stream.getvalue().splitlines()
    assert len(lines) >= 2
    assert all(text.endswith("CBC reports no live bound") for text in lines)


def test_a_gap_over_100_percent_is_shown_as_a_bound_not_yet_useful() -> None:
    line = format_progress(5.0, Progress(5.0, 10_000.0, 420_000.0))

    assert line == "elapsed 5.0 s  incumbent 10,000  bound 420,000  bound not yet useful"
    assert gap_text(40.3) == "bound not yet useful"
    assert gap_text(0.041) == "gap 4.10%"
    assert gap_text(math.nan) == "no bound"


def test_best_so_far_keeps_the_warm_start_plan_and_the_tightest_bound() -> None:
    shown: list[Progress] = []
    best = BestSoFar(maximize=True, forward=shown.append)

    best.update(Progress(1.0, incumbent=900.0))  # the warm start's plan
    best.update(Progress(2.0, incumbent=None, bound=1_200.0))  # the engine, no plan of its own
    best.update(Progress(3.0, incumbent=850.0, bound=1_300.0))  # a worse plan, a looser bound

    assert [(p.incumbent, p.bound) for p in shown] == [
        (900.0, None),
        (900.0, 1_200.0),
        (900.0, 1_200.0),
    ]
    result = SolverResult(Status.FEASIBLE, 900.0, math.nan, np.zeros(1), 3.0, "b", "e")
    assert best.tighten(result).bound == 1_200.0
    assert best.tighten(result).gap == pytest.approx(300.0 / 900.0)


def test_best_so_far_for_a_minimisation_keeps_the_highest_bound() -> None:
    best = BestSoFar(maximize=False, forward=None)

    best.update(Progress(1.0, incumbent=500.0, bound=300.0))
    best.update(Progress(2.0, incumbent=520.0, bound=350.0))

    assert (best.incumbent, best.bound) == (500.0, 350.0)
