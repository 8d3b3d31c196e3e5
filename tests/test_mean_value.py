"""The mean-demand first plan of a season with several demand scenarios (EEV as a heuristic)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE, mean_value
from flexsupply.heuristics.mean_value import mean_value_start
from flexsupply.model import build_program
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.stochastic import stochastic_report

STOCHASTIC = Path(__file__).parent / "data" / "stochastic"


def _start(scenario: fs.Scenario) -> tuple[float | None, float]:
    """Returns the mean-value start's objective (None without one) and the program's optimum."""
    futures = demand_scenarios(scenario)
    program, model = build_program(scenario, futures)
    x = mean_value_start(scenario, futures, program, model, time.perf_counter() + 30)
    optimum = get_backend("ortools").solve(program, SolverOptions(gap=1e-9)).objective
    if x is None:
        return None, optimum
    assert program.violation(x) <= FEASIBILITY_TOLERANCE
    return program.value(x), optimum


@pytest.mark.parametrize("name", ["fast_reorder", "newsvendor3"])
def test_the_start_is_the_mean_demand_plans_value_on_the_scenarios(name: str) -> None:
    """On these small seasons the dives are exact, so the start's value is EEV itself."""
    scenario = fs.load(STOCHASTIC / f"{name}.yaml")

    value, optimum = _start(scenario)

    report = stochastic_report(scenario, SolveSettings(gap=1e-9))
    assert value is not None
    assert value == pytest.approx(report.eev, rel=1e-6)
    assert value <= optimum + 1e-6


def test_a_first_batch_that_overflows_the_warehouse_in_a_flop_is_planned_again_for_less(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With room for 100 pieces, the first batch planned for mean demand (100 a week) leaves the
    flop (40 a week) no plan; the batch planned for the lower quartile of demand does not."""
    data = fs.load(STOCHASTIC / "fast_reorder.yaml").model_dump(mode="json")
    scenario = fs.Scenario.model_validate({**data, "warehouse": {"capacity": 100}})

    value, optimum = _start(scenario)

    assert value is not None
    assert value <= optimum + 1e-6
    monkeypatch.setattr(mean_value, "LOWER_DEMAND_QUANTILES", ())
    assert _start(scenario)[0] is None


def test_a_season_with_one_scenario_or_no_first_batch_has_no_mean_value_start() -> None:
    single = fs.load(Path(__file__).parent / "data" / "cli" / "small.yaml")
    no_first_batch = fs.load(STOCHASTIC / "fast_reorder.yaml").model_copy(
        update={"reveal_period": 1}
    )

    assert _start(single)[0] is None
    assert _start(no_first_batch)[0] is None
