"""Repurchase from own buyers: sales in t create demand in t + L, r per unit sold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import flexsupply as fs
from flexsupply.model.repurchase import channel_rates

DATA = Path(__file__).parent / "data" / "levers"
BASE = [100.0, 50.0, 100.0, 0.0, 0.0]


def _data(rate: float, lag: int) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA / "repurchase.yaml").read_text())
    data["levers"]["repurchase"] = {"rate": rate, "lag_periods": lag}
    return data


@pytest.mark.parametrize(("rate", "lag"), [(0.2, 2), (0.5, 1), (0.1, 3), (0.0, 1)])
def test_demand_in_t_plus_lag_grows_by_rate_times_sales_in_t(
    backend: str, rate: float, lag: int
) -> None:
    plan = fs.solve(fs.loads(_data(rate, lag)), solver=backend)

    sales, demand = plan.sales[0, 0], plan.demand[0, 0]
    expected = np.array(BASE)
    for t in range(lag, len(BASE)):
        expected[t] += rate * expected[t - lag]
    # Selling at a margin, the plan serves all demand: the closed form compounds.
    assert sales == pytest.approx(expected)
    assert demand[lag:] - np.array(BASE)[lag:] == pytest.approx(rate * sales[:-lag])
    assert plan.objective == pytest.approx(60.0 * expected.sum())


def test_repurchase_demand_unserved_is_lost_with_its_goodwill(backend: str) -> None:
    data = _data(0.2, 2)
    data["products"][0]["goodwill_cost"] = 5.0
    data["suppliers"][0]["capacity"] = 100

    plan = fs.solve(fs.loads(data), solver=backend)

    lost = plan.demand[0, 0] - plan.sales[0, 0]
    assert plan.kpis.costs["goodwill"] == pytest.approx(5.0 * lost.sum())


def test_channel_rates_weigh_each_channel_by_its_share_of_expected_sales() -> None:
    scenario = fs.load(Path(__file__).parents[1] / "scenarios" / "levers-demo.yaml")
    assert scenario.levers is not None
    assert scenario.levers.repurchase is not None

    rates = channel_rates(scenario, scenario.levers.repurchase)

    total = sum(weight for _, _, weight in rates)
    assert total == pytest.approx(np.ones_like(total))
    by_rate = {rate for rate, _, _ in rates}
    assert max(by_rate) == max(c.rate for c in scenario.levers.repurchase.channels)


def test_presale_buyers_come_back_after_their_units_ship(backend: str) -> None:
    data = _data(0.0, 1)
    data["levers"]["repurchase"]["channels"] = [
        {"channel": "presale", "rate": 0.5, "lag_periods": 2}
    ]
    data["presale"] = [{"product": "TEE", "period": 1, "quantity": 40, "promise_periods": 0}]

    plan = fs.solve(fs.loads(data), solver=backend)

    assert plan.demand[0, 0, 2] - BASE[2] == pytest.approx(0.5 * 40)
