"""Re-anchoring a season at its as-of period: what is fixed, what is left, what is on its way."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.errors import ScenarioError
from flexsupply.scenario.actuals import Actuals, PurchaseOrderActual, SpotSale
from flexsupply.solve.reanchor import reanchor

DATA = Path(__file__).parent / "data" / "replan"


@pytest.fixture
def season() -> fs.Scenario:
    return fs.load(DATA / "scenario.yaml")


def test_stock_cash_dates_and_reveal_move_to_the_as_of_period(season: fs.Scenario) -> None:
    actuals = Actuals(scenario=season.name, as_of_period=2, stock={"TOP": 12}, cash=900)
    left = reanchor(season, actuals)
    assert left.horizon.periods == 4
    assert left.horizon.start_date == datetime.date(2025, 3, 17)
    assert [p.initial_stock for p in left.products] == [0, 12]
    assert left.cash is not None
    assert left.cash.initial == 900
    # The season's reveal period 3 is the first period left: reorders from the one after.
    assert left.reveal_period == 2
    assert left.demand.scenarios is not None
    assert all(len(units) == 4 for s in left.demand.scenarios for units in s.units.values())


def test_orders_in_transit_are_inbound_with_what_is_still_owed(season: fs.Scenario) -> None:
    order = PurchaseOrderActual(
        supplier="SLOW", product="DRESS", units=100, period=2, arrival_period=4
    )
    actuals = Actuals(scenario=season.name, as_of_period=2, cash=0, orders=[order])
    (inbound,) = reanchor(season, actuals).inbound
    # SLOW takes 30 % upfront: the other 70 % of 100 × 30 is paid on arrival, period 4 − 2.
    assert (inbound.supplier, inbound.units, inbound.arrival_period) == ("SLOW", 100, 2)
    assert (inbound.payment_due, inbound.payment_period) == pytest.approx((2100, 2))
    onboarded = {s.id: s.onboarding_cost for s in reanchor(season, actuals).suppliers}
    assert onboarded["SLOW"] == 0


def test_returns_of_the_last_sales_come_back_after_the_as_of_period(season: fs.Scenario) -> None:
    products = [
        p.model_copy(update={"return_rate": 0.4, "resellable_share": 0.5, "return_lag_periods": 2})
        for p in season.products
    ]
    with_returns = season.model_copy(update={"products": products})
    sales = [SpotSale(product="DRESS", period=t, units=50) for t in (1, 2)]
    actuals = Actuals(scenario=season.name, as_of_period=2, cash=0, sales=sales)
    inbound = reanchor(with_returns, actuals).inbound
    # Period 1's returns arrived in period 3 = first period left; period 2's in period 2 left.
    assert [(i.supplier, i.units, i.arrival_period) for i in inbound] == [
        (None, 10, 1),
        (None, 10, 2),
    ]
    assert inbound[0].payment_due == pytest.approx(0.4 * 50 * 100)


def test_a_scenario_that_tracks_cash_needs_the_cash_on_hand(season: fs.Scenario) -> None:
    with pytest.raises(ScenarioError, match="state the cash on hand"):
        reanchor(season, Actuals(scenario=season.name, as_of_period=2))


def test_prices_by_period_keep_the_periods_left(season: fs.Scenario) -> None:
    quick = season.suppliers[1]
    terms = [quick.terms[0].model_copy(update={"unit_cost": [40.0, 45.0, 50.0, 50.0, 55.0, 55.0]})]
    priced = season.model_copy(
        update={"suppliers": [season.suppliers[0], quick.model_copy(update={"terms": terms})]}
    )
    order = PurchaseOrderActual(
        supplier="QUICK", product="DRESS", units=10, period=2, arrival_period=3
    )
    left = reanchor(priced, Actuals(scenario=season.name, as_of_period=2, cash=0, orders=[order]))
    assert left.suppliers[1].terms[0].unit_cost == [50, 50, 55, 55]
    # QUICK is paid on delivery, at the price of the period the order was placed.
    assert left.inbound[0].payment_due == pytest.approx(10 * 45)


def test_a_season_with_materials_is_refused_rather_than_guessed() -> None:
    scenario = fs.load(Path(__file__).parent.parent / "scenarios" / "fabric-and-credit.yaml")
    actuals = Actuals(scenario=scenario.name, as_of_period=2, cash=0)
    with pytest.raises(ScenarioError, match="the scenario has materials"):
        reanchor(scenario, actuals)


@pytest.mark.parametrize("branching", [[2], [3]])
def test_a_signal_tree_keeps_its_later_reveal_point_split_by_the_demand_ahead(
    branching: list[int],
) -> None:
    data = fs.load(DATA.parent / "signals" / "basic.yaml").model_dump()
    data.update(reveal_period=2, later_reveal_periods=[4], tree_branching=branching)
    season = fs.loads(data)
    actuals = Actuals(scenario=season.name, as_of_period=1)

    left = reanchor(season, actuals, reveal_after=1)

    assert (left.reveal_period, left.later_reveal_periods) == (2, [3])
    futures = left.demand.scenarios or []
    node = np.array([future.nodes[0] for future in futures])
    seen = np.array([sum(units[0] for units in f.units.values()) for f in futures])
    groups = sorted(set(node), key=lambda name: seen[node == name].min())
    assert len(groups) == branching[0]
    for lower, upper in itertools.pairwise(groups):
        assert seen[node == lower].max() <= seen[node == upper].min()
    assert fs.solve(left).status in {"optimal", "feasible"}  # feasible: rounded to whole pieces
