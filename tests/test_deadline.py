"""One deadline per call: every solve step gets the time left, on an injected clock.

The clocked backend below moves a fake clock by ``SOLVE_SECONDS`` (or the time limit it is
given, when that is shorter) on every engine call and records the limits it is given, so the
tests see the whole time budget without waiting.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.backends import BACKENDS, BackendInfo, EngineInfo, SolverOptions, SolverResult
from flexsupply.backends.ortools import OrtoolsBackend
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.model.program import LinearProgram
from flexsupply.solve.deadline import Deadline, TimeLimitReached
from flexsupply.solve.engine import STOCHASTIC_SKIPPED
from flexsupply.solve.explain import explain_infeasible
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.simulate import first_stage_from_orders, simulate
from flexsupply.solve.stochastic import MIN_STEP_SECONDS

DATA = Path(__file__).parent / "data"
FAST_REORDER = DATA / "stochastic" / "fast_reorder.yaml"
INFEASIBLE = DATA / "cli" / "infeasible.yaml"
SOLVE_SECONDS = 0.3


class FakeClock:
    """A clock that moves only when told to [seconds]."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ClockedBackend:
    """OR-Tools' HiGHS, but each call takes ``SOLVE_SECONDS`` on ``clock`` (at most its limit)."""

    name = "clocked"
    clock = FakeClock()
    limits: list[float | None] = []  # noqa: RUF012 - reset by the fixture

    def solve(
        self, program: LinearProgram, options: SolverOptions, start: object = None
    ) -> SolverResult:
        self.limits.append(options.time_limit)
        spent = (
            SOLVE_SECONDS if options.time_limit is None else min(SOLVE_SECONDS, options.time_limit)
        )
        self.clock.now += spent
        real = OrtoolsBackend().solve(program, dataclasses.replace(options, time_limit=None))
        return dataclasses.replace(real, backend=self.name)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Registers the clocked backend and returns its clock."""
    engine = EngineInfo("highs", "clocked HiGHS", ("ortools",), threads=False)
    info = BackendInfo("clocked", f"{__name__}:ClockedBackend", (engine,))
    monkeypatch.setitem(BACKENDS, "clocked", info)
    ClockedBackend.clock = FakeClock()
    ClockedBackend.limits = []
    return ClockedBackend.clock


def _spent(clock: FakeClock) -> float:
    return clock.now - 1000.0


def test_deadline_counts_down_on_its_clock_and_refuses_work_when_expired() -> None:
    clock = FakeClock()
    deadline = Deadline(10.0, clock)
    clock.now += 4.0

    assert deadline.left() == pytest.approx(6.0)
    assert deadline.share(0.5) == pytest.approx(3.0)
    assert deadline.sub(2.0).left() == pytest.approx(2.0)
    assert deadline.sub(None).left() == pytest.approx(6.0)
    assert Deadline(10.0, clock, started=clock.now - 9.0).left() == pytest.approx(1.0)
    clock.now += 7.0
    assert deadline.left() == 0.0
    assert deadline.expired()
    with pytest.raises(TimeLimitReached, match="no time left for the report"):
        deadline.check("the report")


def test_deadline_without_limit_never_expires() -> None:
    clock = FakeClock()
    deadline = Deadline(None, clock)
    clock.now += 1e6

    assert deadline.left() is None
    assert not deadline.expired()
    assert deadline.check("anything") is None


@pytest.mark.parametrize("limit", [1.0, 100.0])
def test_solve_with_stochastic_report_finishes_within_the_one_deadline(
    clock: FakeClock, limit: float
) -> None:
    plan = fs.solve(
        fs.load(FAST_REORDER),
        "clocked",
        time_limit=limit,
        stochastic_report=True,
        warm_start=False,
        clock=clock,
    )

    limits = ClockedBackend.limits
    assert len(limits) >= 2  # the plan, then the report's solves
    assert all(given is not None and 0 < given <= limit for given in limits)
    assert limits == sorted(limits, reverse=True)  # each step gets only what is left
    assert _spent(clock) <= limit + 1e-9
    if limit == 1.0:  # the report needs 8 solves of 0.3 s: it stops when the time is up
        assert plan.stochastic is None
        assert "time limit" in plan.extra[STOCHASTIC_SKIPPED]
    else:
        assert plan.stochastic is not None
        assert plan.stochastic.vss == pytest.approx(342.0)


def test_explanation_of_an_infeasible_scenario_gets_only_the_time_left(clock: FakeClock) -> None:
    scenario = fs.load(INFEASIBLE)
    with pytest.raises(fs.SolveError) as caught:
        fs.solve(scenario, "clocked", time_limit=0.5, warm_start=False, clock=clock)

    first, second = ClockedBackend.limits
    assert first == pytest.approx(0.5)
    assert second == pytest.approx(0.5 - SOLVE_SECONDS)
    assert _spent(clock) <= 0.5 + 1e-9
    assert caught.value.reasons  # the elastic solve still names what is short


def test_explanation_without_time_left_says_so(clock: FakeClock) -> None:
    scenario = fs.load(INFEASIBLE)
    deadline = Deadline(SOLVE_SECONDS, clock)
    clock.now += 2 * SOLVE_SECONDS

    with pytest.raises(TimeLimitReached):
        explain_infeasible(scenario, demand_scenarios(scenario), SolveSettings("clocked"), deadline)
    assert ClockedBackend.limits == []


def test_simulate_with_n_samples_finishes_within_the_one_deadline(clock: FakeClock) -> None:
    scenario = fs.load(FAST_REORDER)
    first_stage = first_stage_from_orders(scenario, fs.solve(scenario).orders)
    samples, limit = 12, 2.0
    # Twelve different demands: repeated ones would be solved once (``distinct_samples``).
    base = demand_scenarios(scenario)
    units = base.units[np.arange(samples) % base.n_scenarios] + np.arange(samples)[:, None, None]
    demand = DemandScenarios(units, np.full(samples, 1 / samples), [str(k) for k in range(12)])

    report = simulate(
        scenario,
        first_stage,
        demand=demand,
        settings=SolveSettings("clocked", time_limit=limit),
        workers=1,
        baselines=False,
        clock=clock,
    )

    plan = report.policy("plan")
    solved = samples - plan.unsolved
    assert _spent(clock) <= limit + 1e-9
    assert all(given is not None and 0 < given <= limit for given in ClockedBackend.limits)
    assert 0 < solved < samples
    # A solve starts only while MIN_STEP_SECONDS are left: 2 s hold 6 of 0.3 s, then 0.2 s is left.
    assert MIN_STEP_SECONDS == 0.5
    assert solved == len(ClockedBackend.limits) == 6
    assert "not solved (time)" in report.summary()


def test_no_plan_within_the_limit_says_when_it_stopped_and_what_to_do(clock: FakeClock) -> None:
    scenario = fs.load(FAST_REORDER)
    deadline = Deadline(1.0, clock)
    clock.now += 1.5  # reading and sampling used the whole limit

    with pytest.raises(fs.SolveError) as caught:
        fs.solve(scenario, "clocked", time_limit=1.0, warm_start=False, deadline=deadline)

    assert caught.value.status == "no_solution"
    stopped, advice = caught.value.reasons
    assert "the 1 s time limit ended the solve after 1.5 s" in stopped
    assert "--time-limit" in advice
    assert "No plan" in str(caught.value)
    assert advice in str(caught.value)
