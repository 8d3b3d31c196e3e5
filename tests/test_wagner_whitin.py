"""Uncapacitated single-item lot sizing: flexsupply's min-cost plan equals the Wagner–Whitin DP."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import lot_sizing_scenario, order_set_costs, unique_optimal_order_set, wagner_whitin

import flexsupply as fs

demands = st.lists(st.integers(0, 100), min_size=1, max_size=12)
setup_costs = st.integers(0, 500)
holding_costs = st.integers(0, 5)
with_fixture = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize(
    ("demand", "setup", "holding", "cost", "orders"),
    [
        # Textbook case: one order covering everything beats two setups only while holding is cheap.
        ([20, 50, 10], 100, 1, 170, [1]),
        ([20, 50, 10], 30, 1, 70, [1, 2]),
        ([0, 0, 40, 0, 10], 100, 2, 140, [3]),
        ([0, 0, 0], 100, 2, 0, []),
    ],
)
def test_dynamic_programme_solves_textbook_cases(
    demand: list[float], setup: float, holding: float, cost: float, orders: list[int]
) -> None:
    assert wagner_whitin(demand, setup, holding) == (pytest.approx(cost), orders)


@settings(max_examples=50, deadline=None)
@given(
    demand=st.lists(st.integers(0, 100), min_size=1, max_size=8),
    setup=setup_costs,
    holding=holding_costs,
)
def test_dynamic_programme_matches_brute_force(demand: list[int], setup: int, holding: int) -> None:
    cost, orders = wagner_whitin(demand, setup, holding)
    every_plan = order_set_costs(demand, setup, holding)

    assert cost == pytest.approx(min(every_plan.values()))
    assert every_plan[tuple(orders)] == pytest.approx(cost)


@with_fixture
@given(demand=demands, setup=setup_costs, holding=holding_costs)
def test_single_item_matches_wagner_whitin(
    backend: str, demand: list[int], setup: int, holding: int
) -> None:
    dp_cost, _ = wagner_whitin(demand, setup, holding)

    plan = fs.solve(lot_sizing_scenario(demand, setup, holding), backend)

    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(dp_cost, abs=1e-6)
    assert plan.kpis.costs["setup"] + plan.kpis.costs["holding"] == pytest.approx(dp_cost, abs=1e-6)


@with_fixture
@given(demand=demands, setup=st.integers(1, 500), holding=st.integers(1, 5))
def test_single_item_orders_regenerate_stock(
    backend: str, demand: list[int], setup: int, holding: int
) -> None:
    unique = unique_optimal_order_set(demand, setup, holding)

    plan = fs.solve(lot_sizing_scenario(demand, setup, holding), backend)

    stock = plan.inventory[0, 0]
    opening = np.concatenate([[0.0], stock[:-1]])
    periods = [order.period for order in plan.orders]
    assert periods == sorted(set(periods))
    for order in plan.orders:
        assert opening[order.period - 1] == pytest.approx(0.0, abs=1e-6)
    if unique is not None:
        assert tuple(periods) == unique


# Wagner–Whitin with a purchase price per period, solved by stockpyl 1.0.2
# (`stockpyl.wagner_whitin.wagner_whitin(T, h, K, demand, purchase_cost)`, Snyder & Shen,
# "Fundamentals of Supply Chain Theory", 2nd ed., Algorithm 3.1): its optimal cost and order
# quantities, computed once with stockpyl installed and committed here (it is not a dependency).
STOCKPYL_PRICED = [
    # (holding h, setup K, demand d[t], price c[t], optimal cost, optimal orders Q[t])
    (2, 500, [90, 120, 80, 70], [10, 10, 10, 10], 4980.0, [210, 0, 150, 0]),
    (2, 500, [90, 120, 80, 70], [10, 12, 8, 11], 4680.0, [210, 0, 150, 0]),
    (1, 200, [40, 60, 0, 80, 30, 50], [5, 9, 9, 3, 6, 8], 1570.0, [100, 0, 0, 160, 0, 0]),
    (3, 100, [20, 50, 10, 70, 40], [20, 14, 16, 12, 15], 3010.0, [20, 60, 0, 110, 0]),
    (
        2,
        300,
        [60, 0, 90, 40, 0, 120, 30, 70],
        [7, 6, 9, 4, 8, 10, 5, 9],
        4070.0,
        [150, 0, 0, 160, 0, 0, 100, 0],
    ),
]


@pytest.mark.parametrize(("holding", "setup", "demand", "price", "cost", "orders"), STOCKPYL_PRICED)
def test_prices_by_period_match_stockpyl_wagner_whitin(
    backend: str,
    holding: float,
    setup: float,
    demand: list[float],
    price: list[float],
    cost: float,
    orders: list[float],
) -> None:
    plan = fs.solve(lot_sizing_scenario(demand, setup, holding, price), backend)

    ordered = np.zeros(len(demand))
    for order in plan.orders:
        ordered[order.period - 1] += order.quantity
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(cost, abs=1e-6)
    assert ordered == pytest.approx(orders, abs=1e-6)
