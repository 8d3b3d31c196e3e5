"""A rolling replan: fewer scenarios by the project's reduction, solved style by style."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.scenario.actuals import Actuals, SpotSale
from flexsupply.solve.by_style import METHOD
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.reanchor import updated_demand
from flexsupply.solve.rolling import rolling_outcomes
from flexsupply.solve.rolling_replan import replan_demand, solve_replan
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.simulate import first_stage_from_orders, sample_demand
from flexsupply.solve.stochastic import risk_neutral

SCENARIOS = Path(__file__).parents[1] / "scenarios"
TABLE = Path(__file__).parent / "data" / "replan" / "scenario.yaml"


def _actuals(scenario: fs.Scenario, cash: float) -> Actuals:
    sales = [SpotSale(product=p, period=1, units=5.0) for p in scenario.product_ids]
    return Actuals(scenario=scenario.name, as_of_period=2, cash=cash, sales=sales)


@pytest.mark.parametrize(
    ("path", "cash"),
    [(SCENARIOS / "spring-drop.yaml", 40_000.0), (TABLE, 20_000.0)],
    ids=["signals", "table"],
)
@pytest.mark.parametrize("kept", [1, 2, 5, 15, 40, None])
def test_a_replan_keeps_at_most_the_scenarios_asked_for(
    path: Path, cash: float, kept: int | None
) -> None:
    scenario = fs.load(path)
    actuals = _actuals(scenario, cash)
    everything = updated_demand(scenario, actuals)
    own = everything.n_scenarios

    future = replan_demand(scenario, actuals, kept)

    assert future.n_scenarios == (own if kept is None else min(kept, own))
    assert future.probabilities.sum() == pytest.approx(1.0)
    assert future.units.shape[1:] == (len(scenario.products), scenario.horizon.periods)
    again = replan_demand(scenario, actuals, kept)
    np.testing.assert_array_equal(future.units, again.units)
    if kept is None or kept >= own:
        np.testing.assert_array_equal(future.units, everything.units)
        np.testing.assert_array_equal(future.probabilities, everything.probabilities)


@pytest.mark.parametrize(
    ("name", "proven_by_style"),
    [("group-buy", True), ("dual-sourcing", False), ("fabric-and-credit", False)],
)
def test_a_replan_by_style_has_the_whole_milps_objective(
    name: str, proven_by_style: bool, backend: str
) -> None:
    # Not proven by style (a shared fabric, suppliers shared by the styles' scenarios): the
    # whole MILP decides, started from the split's plan.
    scenario = risk_neutral(fs.load(SCENARIOS / f"{name}.yaml"), keep_service=False)
    futures = demand_scenarios(scenario)
    by_style, _ = solve_replan(
        scenario, futures, SolveSettings(backend, method="decompose"), Deadline(None)
    )
    whole, _ = solve_replan(
        scenario, futures, SolveSettings(backend, method="monolithic"), Deadline(None)
    )

    assert whole.method == "monolithic"
    assert by_style.objective == pytest.approx(whole.objective, rel=1e-5)
    assert by_style.bound >= whole.objective - 1e-5 * abs(whole.objective)
    assert (by_style.method == METHOD) == proven_by_style


def test_rolling_with_replans_by_style_is_the_rolling_policy_of_the_whole_milp() -> None:
    scenario = fs.load(SCENARIOS / "group-buy.yaml")
    first = first_stage_from_orders(scenario, fs.solve(scenario).orders)
    futures, _ = sample_demand(scenario, 2, seed=4)
    profits = [
        [
            o.profit
            for o in rolling_outcomes(
                scenario, first, futures, 2, SolveSettings(method=m), Deadline(None), 1
            )
        ]
        for m in ("decompose", "monolithic")
    ]

    assert profits[0] == pytest.approx(profits[1], rel=1e-5)
