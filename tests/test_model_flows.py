"""Flow constraints bind: presale windows, returns, cash, warehouse, backlog, and their KPIs.

Every expected objective is worked out by hand in a comment next to its case, so the tests check
the model against arithmetic, not against itself. Money is in currency units, quantities in units.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from planning import plan_for

import flexsupply as fs

PRESALE = """
    horizon: {{periods: {periods}}}
    products:
      - id: DRESS
        price: 30
    suppliers:
      - id: FAST
        terms:
          - product: DRESS
            unit_cost: 12
            lead_time_periods: 1
      - id: SLOW
        terms:
          - product: DRESS
            unit_cost: 10
            lead_time_periods: {slow_lead}
    presale:
      - product: DRESS
        period: 1
        quantity: 50
        deposit: 10
        promise_periods: 1
        lateness: {lateness}
        late_cost: {late_cost}
"""


@pytest.mark.parametrize(
    ("lateness", "late_cost", "supplier", "ship_period", "late_paid", "profit"),
    [
        # due in period 2: only FAST (lead 1) is in time: 50·10 + 50·20 − 50·12 = 900
        pytest.param("forbidden", 0, "FAST", 2, 0, 900, id="forbidden"),
        # SLOW one period late: 10 + 1 < 12 a unit: 1500 − 500 − 50·1 = 950
        pytest.param("priced", 1, "SLOW", 3, 50, 950, id="lateness-cheaper"),
        # SLOW one period late: 10 + 3 > 12 a unit, so FAST on time: 900
        pytest.param("priced", 3, "FAST", 2, 0, 900, id="lateness-dearer"),
    ],
)
def test_presale_ships_within_its_promise_window_or_pays_for_lateness(
    backend: str,
    lateness: str,
    late_cost: float,
    supplier: str,
    ship_period: int,
    late_paid: float,
    profit: float,
) -> None:
    text = PRESALE.format(periods=3, slow_lead=2, lateness=lateness, late_cost=late_cost)
    plan = plan_for(text, backend)

    assert [(o.supplier, o.period) for o in plan.orders] == [(supplier, 1)]
    (service,) = plan.presale
    assert service.due_period == 2
    assert service.shipped_by_period[ship_period - 1] == pytest.approx(50)
    assert service.on_time_share == pytest.approx(1.0 if ship_period <= 2 else 0.0)
    assert plan.kpis.costs["late_shipment"] == pytest.approx(late_paid)
    assert plan.objective == pytest.approx(profit)


def test_presale_that_no_supplier_can_make_in_time_has_no_plan(backend: str) -> None:
    text = PRESALE.format(periods=4, slow_lead=3, lateness="forbidden", late_cost=0)
    text = text.replace("lead_time_periods: 1", "lead_time_periods: 3")

    with pytest.raises(fs.SolveError) as caught:
        fs.solve(fs.loads(textwrap.dedent(text)), solver=backend)

    assert caught.value.status == "infeasible"
    assert any("DRESS" in reason and "short 50" in reason for reason in caught.value.reasons)


def test_priced_lateness_ships_late_and_pays_per_unit_period(backend: str) -> None:
    text = PRESALE.format(periods=4, slow_lead=3, lateness="priced", late_cost=2)
    text = text.replace("lead_time_periods: 1", "lead_time_periods: 3")
    plan = plan_for(text, backend)

    # SLOW in period 1 arrives in period 4, two periods past the due period 2:
    # 50·10 + 50·20 − 50·10 − 50·2·2 = 800
    (service,) = plan.presale
    assert service.shipped_by_period == pytest.approx([0, 0, 0, 50])
    assert service.on_time_share == pytest.approx(0)
    assert plan.kpis.costs["late_shipment"] == pytest.approx(200)
    assert plan.objective == pytest.approx(800)


RETURNS = """
    horizon: {{periods: 3}}
    products:
      - id: TEE
        price: 30
        holding_cost: 0.5
        return_rate: 0.5
        resellable_share: {resellable}
        return_lag_periods: 1
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
    demand:
      units:
        TEE: [100, 20, 100]
"""


@pytest.mark.parametrize(
    ("resellable", "ordered", "stock", "profit"),
    [
        # Back in stock: 50 in period 2 (30 left after 20 sold), 10 in period 3, so 100 + 0 + 60
        # ordered for 220 sold; 50 from period 3 return after the horizon, worth no salvage.
        # Each sale refunds half the price: 220·(30 − 15) − 160·10 − 30·0.5 = 1685
        pytest.param(1.0, 160, [0, 30, 0], 1685, id="resold"),
        # Returns written off: 220 ordered, nothing held: 220·15 − 2200 = 1100
        pytest.param(0.0, 220, [0, 0, 0], 1100, id="written-off"),
    ],
)
def test_resellable_returns_come_back_into_stock_and_are_sold_again(
    backend: str, resellable: float, ordered: float, stock: list[float], profit: float
) -> None:
    plan = plan_for(RETURNS.format(resellable=resellable), backend)

    sales = plan.sales[0, 0]
    arrivals = np.zeros(3)
    for order in plan.orders:
        arrivals[order.arrival_period - 1] += order.good_units
    returned = np.concatenate([[0.0], 0.5 * resellable * sales[:-1]])
    opening = np.concatenate([[0.0], plan.inventory[0, 0, :-1]])
    assert plan.inventory[0, 0] == pytest.approx(opening + arrivals + returned - sales)
    assert plan.inventory[0, 0] == pytest.approx(stock)
    assert sales == pytest.approx([100, 20, 100])
    assert arrivals.sum() == pytest.approx(ordered)
    assert plan.objective == pytest.approx(profit)


CASH = """
    horizon: {{periods: 2}}
    products:
      - id: TEE
        price: 20
        unmet_demand: {unmet}
    suppliers:
      - id: MILL
        payment:
          upfront_share: {upfront}
        terms:
          - product: TEE
            unit_cost: 10
            lead_time_periods: 1
    demand:
      units:
        TEE: [0, 100]
    cash:
      initial: 500
"""


@pytest.mark.parametrize(
    ("upfront", "ordered", "profit", "cash"),
    [
        # paid when placed: 10·q ≤ 500 in period 1, so q = 50: 50·(20 − 10) = 500
        pytest.param(1.0, 50, 500, [0, 1000], id="paid-upfront"),
        # paid on delivery in period 2, when the sales come in: 100·10 = 1000
        pytest.param(0.0, 100, 1000, [500, 1500], id="paid-on-delivery"),
    ],
)
def test_cash_on_hand_limits_upfront_orders(
    backend: str, upfront: float, ordered: float, profit: float, cash: list[float]
) -> None:
    plan = plan_for(CASH.format(unmet="lost", upfront=upfront), backend)

    assert sum(order.quantity for order in plan.orders) == pytest.approx(ordered)
    assert plan.cash is not None
    assert plan.cash.min() >= -1e-6
    assert plan.cash[0] == pytest.approx(cash)
    assert plan.kpis.cash_low_point == pytest.approx(min(cash))
    assert plan.objective == pytest.approx(profit)


def test_forbidden_demand_that_cash_cannot_fund_has_no_plan(backend: str) -> None:
    text = CASH.format(unmet="forbidden", upfront=1.0)

    with pytest.raises(fs.SolveError) as caught:
        fs.solve(fs.loads(textwrap.dedent(text)), solver=backend)

    # 100 units paid upfront cost 1000; the brand has 500.
    assert caught.value.status == "infeasible"
    assert any("cash" in reason and "500" in reason for reason in caught.value.reasons)


WAREHOUSE = """
    horizon: {periods: 3}
    products:
      - id: COAT
        price: 20
    suppliers:
      - id: MILL
        capacity: 60
        terms:
          - product: COAT
            unit_cost: 10
    demand:
      scenarios:
        - name: high
          probability: 0.7
          units:
            COAT: [0, 0, 150]
        - name: low
          probability: 0.3
          units:
            COAT: [0, 0, 100]
    warehouse:
      capacity: 80
"""


def test_stock_never_exceeds_warehouse_capacity_in_any_period_or_scenario(backend: str) -> None:
    plan = plan_for(WAREHOUSE, backend)

    # 60 a period; at most 80 may wait until period 3, so q ≤ 80 + 60 = 140 (150 without the
    # warehouse). For 100 ≤ q ≤ 150 profit is 0.7·20·q + 0.3·20·100 − 10·q = 4·q + 600, rising,
    # so q = 140: 4·140 + 600 = 1160 (1200 at q = 150 without the limit).
    assert plan.inventory.max() <= 80 + 1e-6
    assert plan.inventory[:, 0, 1] == pytest.approx([80, 80])
    assert plan.inventory[:, 0, 2] == pytest.approx([0, 40])
    assert sum(order.quantity for order in plan.orders) == pytest.approx(140)
    assert plan.objective == pytest.approx(1160)


BACKLOG = """
    horizon: {{periods: 3}}
    products:
      - id: TEE
        price: 20
        unmet_demand: backlog
        backlog_cost: 2
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
            lead_time_periods: {lead}
    demand:
      units:
        TEE: [100, 0, 0]
"""


@pytest.mark.parametrize(
    ("lead", "waiting", "profit"),
    [
        # served in period 2, one period late: 100·(20 − 10) − 100·1·2 = 800
        pytest.param(1, [100, 0, 0], 800, id="one-period-late"),
        # served in period 3, two periods late: 1000 − 100·2·2 = 600
        pytest.param(2, [100, 100, 0], 600, id="two-periods-late"),
    ],
)
def test_backlogged_demand_is_served_late_at_backlog_cost_per_unit_period(
    backend: str, lead: int, waiting: list[float], profit: float
) -> None:
    plan = plan_for(BACKLOG.format(lead=lead), backend)

    assert plan.backlog[0, 0] == pytest.approx(waiting)
    assert plan.sales[0, 0, lead] == pytest.approx(100)
    assert plan.kpis.costs["backlog"] == pytest.approx(2 * sum(waiting))
    assert plan.objective == pytest.approx(profit)


def test_lost_demand_is_not_served_late(backend: str) -> None:
    text = BACKLOG.format(lead=1).replace("unmet_demand: backlog", "unmet_demand: lost")
    plan = plan_for(text, backend)

    # demand in period 1 only, first arrival in period 2: nothing to sell, nothing to order
    assert plan.orders == []
    assert plan.objective == pytest.approx(0)


SERVICE = """
    horizon: {periods: 3}
    products:
      - id: DRESS
        price: 30
    suppliers:
      - id: MILL
        capacity: 30
        terms:
          - product: DRESS
            unit_cost: 10
            lead_time_periods: 1
    presale:
      - product: DRESS
        period: 1
        quantity: 50
        promise_periods: 1
        lateness: priced
        late_cost: 1
    demand:
      units:
        DRESS: [0, 0, 40]
"""


def test_fill_rate_and_presale_on_time_share_match_a_hand_count(backend: str) -> None:
    plan = plan_for(SERVICE, backend)

    # 30 arrive in period 2 and 30 in period 3 (a period-3 order would land after the horizon).
    # The presale needs 50 by period 2: 30 on time, 20 late, leaving 10 of the 40 spot demand.
    # on time 30/50 = 0.6; fill rate 10/40 = 0.25;
    # profit 50·30 + 10·30 − 60·10 − 20·1 = 1180
    assert plan.kpis.presale_on_time_share == pytest.approx(0.6)
    assert plan.presale[0].shipped_by_period == pytest.approx([0, 30, 20])
    assert plan.kpis.fill_rate == pytest.approx(0.25)
    assert plan.kpis.costs["late_shipment"] == pytest.approx(20)
    assert plan.kpis.revenue_by_kind["presale_balance"] == pytest.approx(1500)
    assert plan.kpis.revenue_by_kind["spot_sales"] == pytest.approx(300)
    assert plan.kpis.expected_profit == pytest.approx(1180)
    assert plan.objective == pytest.approx(1180)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(WAREHOUSE, id="warehouse"),
        pytest.param(BACKLOG.format(lead=1), id="backlog"),
        pytest.param(SERVICE, id="presale"),
        pytest.param(RETURNS.format(resellable=1.0), id="returns"),
    ],
)
def test_expected_profit_is_the_objective_and_the_mean_of_scenario_profits(
    backend: str, text: str
) -> None:
    plan = fs.solve(fs.loads(textwrap.dedent(text)), solver=backend)

    by_scenario = [plan.kpis.profit_by_scenario[name] for name in plan.scenarios]
    assert plan.kpis.expected_profit == pytest.approx(plan.objective)
    assert np.dot(plan.probabilities, by_scenario) == pytest.approx(plan.objective)
    revenue = sum(plan.kpis.revenue_by_kind.values())
    assert revenue - sum(plan.kpis.costs.values()) == pytest.approx(plan.objective)


MIN_COST = """
    horizon: {periods: 2}
    objective: min_cost
    products:
      - id: TEE
        price: 20
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
    demand:
      units:
        TEE: [30, 10]
"""


def test_min_cost_makes_every_demand_firm(backend: str) -> None:
    plan = fs.solve(fs.loads(textwrap.dedent(MIN_COST)), solver=backend)

    # every unit of demand served, each bought at 10: 40·10 = 400
    assert plan.sales[0, 0] == pytest.approx([30, 10])
    assert plan.objective == pytest.approx(400)


SAME_PERIOD_RETURNS = """
    horizon: {periods: 1}
    products:
      - id: TEE
        price: 30
        return_rate: 1.0
        return_lag_periods: 0
        unmet_demand: forbidden
    suppliers:
      - id: MILL
        capacity: 0
        terms:
          - product: TEE
            unit_cost: 10
    demand:
      units:
        TEE: [100]
"""


def test_same_period_returns_cannot_serve_demand_without_stock(backend: str) -> None:
    # nothing can be made and nothing is in stock, so 100 units of firm demand have no plan
    with pytest.raises((fs.SolveError, fs.ScenarioError)):
        fs.solve(fs.loads(textwrap.dedent(SAME_PERIOD_RETURNS)), solver=backend)


HOLDING_RATE = """
    horizon: {periods: 3}
    products:
      - id: TEE
        price: 50
        unmet_demand: forbidden
        holding_cost: 0.5
        holding_rate: 0.1
    suppliers:
      - id: MILL
        capacity: [100, 0, 0]
        terms:
          - product: TEE
            unit_cost: [20, 30, 30]
    demand:
      units:
        TEE: [0, 40, 60]
"""


def test_holding_rate_charges_a_share_of_the_unit_cost_per_period(backend: str) -> None:
    plan = plan_for(HOLDING_RATE, backend)

    # 100 made in period 1 at the lowest price 20: h = 0.5 + 0.1·20 = 2.5 per unit and period;
    # held 100 at the end of period 1 and 60 at the end of period 2: 160·2.5 = 400
    assert plan.kpis.costs["holding"] == pytest.approx(400)
    assert plan.objective == pytest.approx(100 * 50 - 100 * 20 - 400)
