"""One period, one shared order, equiprobable demands: the order is the critical fractile."""

from __future__ import annotations

import numpy as np
import pytest
from oracles import critical_fractile_quantity, newsvendor_profit, newsvendor_scenario

import flexsupply as fs

N_SCENARIOS = 20


def sample_demands(seed: int) -> list[float]:
    """Returns N distinct integer demands, so no two scenarios tie at the fractile."""
    rng = np.random.default_rng(seed)
    return [float(d) for d in rng.choice(np.arange(20, 400), size=N_SCENARIOS, replace=False)]


@pytest.mark.parametrize(
    ("price", "cost", "salvage"),
    [
        (10.0, 4.0, 1.0),  # fractile 2/3: k = 14 of 20
        (10.0, 7.0, 2.0),  # fractile 3/8: k = 8
        (12.0, 5.0, 0.0),  # fractile 7/12: k = 12
        (9.0, 8.0, 0.0),  # fractile 1/9: k = 3
        (30.0, 10.0, 2.0),  # fractile 5/7: k = 15
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_single_period_order_is_critical_fractile(
    backend: str, price: float, cost: float, salvage: float, seed: int
) -> None:
    demands = sample_demands(seed)
    steps = (price - cost) / (price - salvage) * N_SCENARIOS
    assert abs(steps - round(steps)) > 1e-6, "fractile at a step: the optimum would not be unique"
    quantity = critical_fractile_quantity(demands, price, cost, salvage)

    plan = fs.solve(newsvendor_scenario(demands, price, cost, salvage), backend)

    assert plan.status == "optimal"
    assert [(order.period, order.scenario) for order in plan.orders] == [(1, None)]
    assert plan.orders[0].quantity == pytest.approx(quantity, abs=1e-6)
    expected = newsvendor_profit(demands, quantity, price, cost, salvage)
    assert plan.objective == pytest.approx(expected, abs=1e-6)


def test_critical_fractile_quantity_is_the_best_demand_value() -> None:
    demands = sample_demands(7)
    price, cost, salvage = 10.0, 4.0, 1.0

    best = max(demands, key=lambda q: newsvendor_profit(demands, q, price, cost, salvage))

    assert critical_fractile_quantity(demands, price, cost, salvage) == best
