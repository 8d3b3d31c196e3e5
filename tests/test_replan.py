"""Replan mid-season: the remaining plan of a known future, in-transit orders, demand updates."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.errors import FlexsupplyError
from flexsupply.scenario.actuals import (
    Actuals,
    PresaleActual,
    PurchaseOrderActual,
    SpotSale,
)
from flexsupply.solve.replan import replan

DATA = Path(__file__).parent / "data" / "replan"
AS_OF = 2


@pytest.fixture
def season() -> fs.Scenario:
    """The demo season without its presale (a plan's presale shipments are expected values)."""
    return fs.load(DATA / "scenario.yaml").model_copy(update={"presale": []})


def actuals_of(scenario: fs.Scenario, plan: fs.Plan, future: str) -> Actuals:
    """Returns what happens up to AS_OF when ``plan`` meets the future ``future`` exactly."""
    w = plan.scenarios.index(future)
    products = plan.products
    assert plan.cash is not None
    return Actuals(
        scenario=scenario.name,
        as_of_period=AS_OF,
        stock={p: float(plan.inventory[w, i, AS_OF - 1]) for i, p in enumerate(products)},
        cash=float(plan.cash[w, AS_OF - 1]),
        sales=[
            SpotSale(
                product=p,
                period=t + 1,
                units=float(plan.sales[w, i, t]),
                sold_out=bool(plan.sales[w, i, t] < plan.demand[w, i, t] - 1e-6),
            )
            for i, p in enumerate(products)
            for t in range(AS_OF)
        ],
        orders=[
            PurchaseOrderActual(
                supplier=o.supplier,
                product=o.product,
                units=o.quantity,
                period=o.period,
                arrival_period=o.arrival_period,
            )
            for o in plan.orders
            if o.period <= AS_OF and o.scenario in (None, future)
        ],
    )


def later_orders(plan: fs.Plan, future: str, offset: int) -> dict[tuple[str, str, int], float]:
    """Returns the orders from season period AS_OF + 1 on that ``future`` gets, by season period."""
    return {
        (o.supplier, o.product, o.period + offset): round(o.quantity, 3)
        for o in plan.orders
        if o.period + offset > AS_OF and o.scenario in (None, future)
    }


@pytest.mark.parametrize("future", ["hit", "flop"])
def test_actuals_as_planned_reproduce_that_futures_remaining_plan(
    season: fs.Scenario, backend: str, future: str
) -> None:
    plan = fs.solve(season, backend)
    result = replan(season, actuals_of(season, plan, future), plan, backend)
    assert result.scenario.demand.scenarios is not None
    assert [s.name for s in result.scenario.demand.scenarios] == [future]
    assert later_orders(result.plan, future, AS_OF) == later_orders(plan, future, 0)
    assert result.plan.status == "optimal"


def test_orders_in_transit_arrive_once_and_are_not_bought_again(
    season: fs.Scenario, backend: str
) -> None:
    plan = fs.solve(season, backend)
    actuals = actuals_of(season, plan, "hit")
    in_transit = [o for o in actuals.orders if o.arrival_period > AS_OF]
    assert in_transit, "the demo plan has a first batch still in transit after period 2"
    result = replan(season, actuals, plan, backend)
    assert [(o.supplier, o.product, o.units) for o in result.scenario.inbound] == [
        (o.supplier, o.product, o.units) for o in in_transit
    ]
    index = {p: i for i, p in enumerate(result.plan.products)}
    for order in in_transit:
        i = index[order.product]
        bought = sum(o.quantity for o in result.plan.orders if o.product == order.product)
        supply = bought + order.units + actuals.stock[order.product]
        # The future is known after the actuals: stock beyond its demand would be bought twice.
        assert supply <= result.plan.demand[0, i].sum() + 1e-6
        assert result.plan.sales[0, i, order.arrival_period - AS_OF - 1] > 0


def test_sales_above_forecast_raise_remaining_demand_and_reorders(
    season: fs.Scenario, backend: str
) -> None:
    plan = fs.solve(season, backend)
    high = replan(season, actuals_of(season, plan, "hit"), plan, backend)
    low = replan(season, actuals_of(season, plan, "flop"), plan, backend)
    assert high.plan.demand.sum() > plan.demand.sum(axis=(1, 2)) @ plan.probabilities / 2
    assert high.plan.demand.sum() > low.plan.demand.sum()
    high_units = sum(o.quantity for o in high.plan.orders)
    low_units = sum(o.quantity for o in low.plan.orders)
    assert high_units > low_units


def test_open_presale_promises_are_kept_with_their_balance_only() -> None:
    scenario = fs.load(DATA / "scenario.yaml")
    actuals = Actuals(
        scenario=scenario.name,
        as_of_period=AS_OF,
        cash=1000,
        presale=[PresaleActual(product="DRESS", period=2, shipped=15)],
    )
    result = replan(scenario, actuals)
    (promise,) = result.scenario.presale
    assert (promise.product, promise.quantity, promise.price) == ("DRESS", 25, 80)
    # Due in season period 1 + 3 = 4, period 2 of the periods left.
    assert (promise.deposit, promise.balance_period, promise.promise_periods) == (0, 1, 1)
    shipped = sum(result.plan.presale[0].shipped_by_period)
    assert shipped == pytest.approx(25)


def test_a_plan_of_another_scenario_is_refused(season: fs.Scenario) -> None:
    actuals = Actuals(scenario=season.name, as_of_period=AS_OF, cash=0)
    other = dataclasses.replace(fs.solve(season), scenario_name="other")
    with pytest.raises(FlexsupplyError, match="the plan is for scenario 'other'"):
        replan(season, actuals, other)


def test_cli_replan_writes_a_plan_and_compare_lists_the_order_changes(tmp_path: Path) -> None:
    runner = CliRunner()
    scenario = str(DATA / "scenario.yaml")
    old, new = tmp_path / "old", tmp_path / "new"
    assert runner.invoke(main, ["solve", scenario, "--out-dir", str(old), "--quiet"]).exit_code == 0
    result = runner.invoke(
        main,
        [
            "replan",
            scenario,
            "--plan",
            str(old),
            "--actuals",
            str(DATA / "actuals.csv"),
            "--out-dir",
            str(new),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "orders in transit kept: 1" in result.output
    data = json.loads((new / "plan.json").read_text(encoding="utf-8"))
    assert data["as_of_period"] == AS_OF
    assert data["horizon"] == {"periods": 4, "period_length": "week", "start_date": "2025-03-17"}
    compared = runner.invoke(main, ["compare", str(old), str(new)])
    assert compared.exit_code == 0, compared.output
    assert "Orders (expected units, season periods)" in compared.output
    # The dresses sell like the hit future: its reorders, now in full.
    assert "changed         3  QUICK         DRESS                 65       105" in compared.output


def test_cli_replan_refuses_another_scenarios_actuals(tmp_path: Path) -> None:
    actuals = tmp_path / "a.yaml"
    actuals.write_text("scenario: autumn\nas_of_period: 2\ncash: 0\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["replan", str(DATA / "scenario.yaml"), "--plan", str(tmp_path), "--actuals", str(actuals)],
    )
    assert result.exit_code == 1
    assert "these actuals are for scenario 'autumn', not 'replan-demo'" in result.output
