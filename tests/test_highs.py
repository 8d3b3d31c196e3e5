"""The warm start's HiGHS copy: Ctrl-C stops its LPs and MIPs like a time limit."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import flexsupply as fs
from flexsupply.backends import interrupt
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.heuristics.lp_dive import dive, first_incumbent
from flexsupply.model import build_program

SPRING_DROP = Path(__file__).parent.parent / "scenarios" / "spring-drop.yaml"
"""A season whose MIP HiGHS does not finish within minutes: a solve still running when asked."""
LONG = 600.0
"""A time limit no test reaches [seconds]."""


@pytest.fixture(scope="module")
def program() -> Any:
    scenario = fs.load(SPRING_DROP)
    return build_program(scenario, demand_scenarios(scenario))[0]


def _ctrl_c_given() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    assert _wait_for(interrupt.requested)


def _wait_for(condition: Any, seconds: float = 5.0) -> bool:
    stop = time.monotonic() + seconds
    while not condition() and time.monotonic() < stop:
        time.sleep(0.01)
    return bool(condition())


@pytest.mark.parametrize("integer", [False, True])
def test_a_solve_started_after_ctrl_c_stops_at_once(program: Any, integer: bool) -> None:
    copy = HighsCopy(program, integer=integer)

    with interrupt.interruptible():
        _ctrl_c_given()
        found = copy.run(LONG)

    assert not found
    assert copy.highs.getModelStatus() == copy._highspy.HighsModelStatus.kInterrupt


def test_ctrl_c_during_a_mip_stops_it_like_its_time_limit(program: Any) -> None:
    copy = HighsCopy(program, integer=True)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))

    with interrupt.interruptible():
        timer.start()
        copy.run(LONG)
        timer.join()

    assert copy.highs.getModelStatus() == copy._highspy.HighsModelStatus.kInterrupt


def test_a_second_ctrl_c_during_a_solve_reaches_the_caller(
    program: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second Ctrl-C's KeyboardInterrupt is raised inside HiGHS's interrupt check."""

    def second_ctrl_c() -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(interrupt, "requested", second_ctrl_c)
    copy = HighsCopy(program, integer=True)

    with pytest.raises(KeyboardInterrupt):
        copy.run(LONG)
    monkeypatch.undo()
    assert HighsCopy(program).run(LONG)  # the next solve runs as usual


@pytest.mark.parametrize("first_plan", [dive, first_incumbent])
def test_first_plans_give_none_after_ctrl_c(program: Any, first_plan: Any) -> None:
    with interrupt.interruptible():
        _ctrl_c_given()
        assert first_plan(program, time.perf_counter() + LONG) is None


def test_one_copy_checks_for_ctrl_c_once_per_solver(program: Any) -> None:
    first = HighsCopy(program)
    HighsCopy(program, highs=first.highs)

    assert len(first.highs.cbMipInterrupt.callbacks) == 1
