"""Spot sales return at the mix of their channels' rates; presale units at the product's rate.

Expected returns, refunds and cash are worked out by hand next to each case.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pytest
import yaml

import flexsupply as fs
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.demand.returns import spot_return_rates
from flexsupply.model.data import model_data

# One style over three weeks, sold through two channels that state a rate and one that does not:
#   search           1,000 clicks × 4 % = 40 a week, 30 % returned
#   livestream       week 2: 10,000 viewers × 1 % × 0.6 of the buyers = 60, 60 % returned
#   private domain   1,000 members × 50 % reached × 2 % = 10 a week, at the product's 50 %
# ρ[t] = (40·0.3 + 10·0.5) / 50 = 17/50 in weeks 1 and 3, (12 + 36 + 5) / 110 = 53/110 in week 2.
TWO_CHANNELS = """
    horizon: {periods: 3}
    options: {whole_pieces: false}  # the flows of the model's own (fractional) optimum
    products:
      - id: TEE
        price: 100
        holding_cost: 0.1
        return_rate: 0.5
        return_lag_periods: 1
        resellable_share: 0.8
        return_handling_cost: 5
    suppliers:
      - id: MILL
        terms:
          - {product: TEE, unit_cost: 20}
    demand:
      signals:
        samples: 20
        scenarios_kept: 2
        products:
          TEE:
            channels:
              search: {clicks: 1000, conversion: 0.04, return_rate: 0.3}
              livestreams:
                - {period: 2, viewers: 10000, conversion: 0.01, product_share: 0.6,
                   return_rate: 0.6}
              private_domain: {members: 1000, reach_per_period: 0.5, repurchase_rate: 0.02}
    cash:
      initial: 0
"""
RATES = [17 / 50, 53 / 110, 17 / 50]
DEMAND = [50.0, 110.0, 50.0]


def _scenario(text: str) -> fs.Scenario:
    return fs.loads(textwrap.dedent(text))


def test_spot_return_rate_is_the_channel_mix_of_each_period() -> None:
    scenario = _scenario(TWO_CHANNELS)

    np.testing.assert_allclose(spot_return_rates(scenario), [RATES])
    np.testing.assert_allclose(model_data(scenario).products.spot_return_rate, [RATES])
    np.testing.assert_allclose(model_data(scenario).products.return_rate, [0.5])


def test_demand_without_channels_returns_at_the_product_rate() -> None:
    data = yaml.safe_load(textwrap.dedent(TWO_CHANNELS))
    data["demand"] = {"units": {"TEE": DEMAND}}

    rates = spot_return_rates(fs.Scenario.model_validate(data))

    np.testing.assert_allclose(rates, [[0.5, 0.5, 0.5]])


def test_returned_units_refunds_and_cash_follow_the_channel_mix(backend: str) -> None:
    scenario = _scenario(TWO_CHANNELS)
    demand = DemandScenarios(np.array([[DEMAND]]), np.ones(1), ["hand"])

    plan = fs.solve(scenario, solver=backend, demand=demand)

    # Every unit sells (price 100 ≫ cost 20). Units sent back: 0.34·50 = 17, 53, 17 = 87;
    # refunds 100·87 = 8,700 and handling 5·87 = 435.
    returned = np.array(RATES) * DEMAND
    assert returned == pytest.approx([17, 53, 17])
    assert plan.sales[0, 0] == pytest.approx(DEMAND)
    assert plan.kpis.costs["refunds"] == pytest.approx(8700)
    assert plan.kpis.costs["return_handling"] == pytest.approx(435)
    # 80 % of a week's returns are back in stock the week after and sold again: 13.6 in week 2,
    # 42.4 in week 3 (week 3's come back after the horizon). Ordered just in time:
    # 50, 110 − 13.6 = 96.4, 50 − 42.4 = 7.6; nothing is held.
    quantities = np.zeros(3)
    for order in plan.orders:
        quantities[order.period - 1] += order.quantity
    assert quantities == pytest.approx([50, 96.4, 7.6])
    assert plan.inventory[0, 0] == pytest.approx([0, 0, 0], abs=1e-6)
    # 210 sold at 100, less refunds and handling, less 154 bought at 20: 8,785.
    assert plan.objective == pytest.approx(21000 - 8700 - 435 - 20 * 154)
    # Cash: week 1 +5,000 − 1,000; week 2 +11,000 − 1,928 − 17·105; week 3 +5,000 − 152 − 53·105.
    assert plan.cash is not None
    assert plan.cash[0] == pytest.approx([4000, 11287, 10570])


def _with_channel_rates(text: str, rate: float | None) -> dict[str, Any]:
    """Returns the scenario data with every channel's return rate set to ``rate`` (None: none)."""
    data: dict[str, Any] = yaml.safe_load(textwrap.dedent(text))
    channels = data["demand"]["signals"]["products"]["TEE"]["channels"]
    for entry in [channels["search"], *channels["livestreams"], channels["private_domain"]]:
        entry.pop("return_rate", None)
        if rate is not None:
            entry["return_rate"] = rate
    return data


def test_channel_rates_equal_to_the_product_rate_leave_the_plan_unchanged(backend: str) -> None:
    same = fs.Scenario.model_validate(_with_channel_rates(TWO_CHANNELS, 0.5))
    unstated = fs.Scenario.model_validate(_with_channel_rates(TWO_CHANNELS, None))
    futures = demand_scenarios(same)
    table = fs.Scenario.model_validate(
        dict(
            _with_channel_rates(TWO_CHANNELS, None),
            demand={
                "scenarios": [
                    {"name": name, "probability": float(p), "units": {"TEE": units[0].tolist()}}
                    for name, p, units in zip(
                        futures.names, futures.probabilities, futures.units, strict=True
                    )
                ]
            },
        )
    )

    plans = [fs.solve(s, solver=backend, demand=futures) for s in (same, unstated, table)]

    np.testing.assert_allclose(spot_return_rates(same), [[0.5, 0.5, 0.5]])
    for plan in plans[1:]:
        assert plan.objective == pytest.approx(plans[0].objective, rel=1e-9)
        assert [(o.period, o.scenario) for o in plan.orders] == [
            (o.period, o.scenario) for o in plans[0].orders
        ]
        assert [o.quantity for o in plan.orders] == pytest.approx(
            [o.quantity for o in plans[0].orders]
        )


PRESALE_AND_SPOT = """
    horizon: {periods: 3}
    products:
      - {id: TEE, price: 100, return_rate: 0.2, return_lag_periods: 1, resellable_share: 0}
    suppliers:
      - id: MILL
        terms:
          - {product: TEE, unit_cost: 20}
    presale:
      - {product: TEE, period: 1, quantity: 10, price: 90, deposit: 10, promise_periods: 0}
    demand:
      signals:
        samples: 4
        scenarios_kept: 1
        products:
          TEE:
            channels:
              livestreams:
                - {period: 1, viewers: 1000, conversion: 0.05, product_share: 1,
                   return_rate: 0.6}
"""


def test_presale_units_keep_the_product_rate(backend: str) -> None:
    scenario = fs.loads(textwrap.dedent(PRESALE_AND_SPOT))
    demand = DemandScenarios(np.array([[[50.0, 0.0, 0.0]]]), np.ones(1), ["hand"])

    plan = fs.solve(scenario, solver=backend, demand=demand)

    # 50 livestream units return at 60 %: 30·100; 10 presale units at 20 %: 2·90 = 180.
    assert plan.kpis.costs["refunds"] == pytest.approx(3000 + 180)
