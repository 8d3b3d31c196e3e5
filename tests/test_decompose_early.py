"""One engine call's warm start on a process of its own (``decompose/early.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from strategies import small_scenarios_with_limits
from test_decompose import generated_season

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.solve.decompose import early as early_start
from flexsupply.solve.decompose.early import EarlyStart, StartJob, warm_start_of


def job(budget: float) -> StartJob:
    """The first plan of the generated season within ``budget`` seconds (no fix-and-optimise)."""
    scenario = generated_season()
    program, model = build_program(scenario, demand_scenarios(scenario))
    return StartJob(scenario, program, model, budget, budget, 0, None, False)


def test_the_warm_start_on_its_own_process_is_the_warm_start_here() -> None:
    early = EarlyStart(job(600.0))

    here = warm_start_of(job(600.0))
    there = early.result()

    assert here is not None
    assert there is not None
    np.testing.assert_array_equal(there.x, here.x)
    assert there.objective == here.objective
    assert early.result() is None  # collected once; its process is gone


def test_a_warm_start_with_no_time_gives_no_plan() -> None:
    assert EarlyStart(job(0.0)).result() is None


def test_a_solve_with_the_early_first_plan_gives_the_plan_of_the_warm_start_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    objectives = []
    for early in (False, True):
        monkeypatch.setattr(early_start, "EARLY", early)
        season = fs.Scenario.model_validate(small_scenarios_with_limits(cash=True, warehouse=True))
        plan = fs.solve(season, method="decompose", iterations=1, time_limit=3600, workers=2)
        assert plan.status in ("optimal", "feasible")
        objectives.append(plan.objective)

    assert objectives[1] == objectives[0]
