"""Order constraints bind: each tiny scenario breaks the rule without it; the plan keeps it.

Every expected objective is worked out by hand in a comment next to its case, so the tests check
the model against arithmetic, not against itself. Money is in currency units, quantities in units.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from planning import plan_for
from strategies import small_scenarios

import flexsupply as fs
import flexsupply.model.build as model_build
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.orders import order_upper_bounds

MOQ = """
    horizon: {{periods: 2}}
    products:
      - id: TEE
        price: {price}
        salvage_value: {salvage}
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
            moq: 50
    demand:
      units:
        TEE: [30, 0]
"""


@pytest.mark.parametrize(
    ("price", "salvage", "ordered", "profit"),
    [
        # order 50, sell 30: 30·20 − 50·10 = 100 > 0 (ordering nothing earns 0)
        pytest.param(20, 0, 50, 100, id="minimum-pays"),
        # order 50: 30·15 − 500 = −50 < 0, so order nothing: 0
        pytest.param(15, 0, 0, 0, id="minimum-loses"),
        # order 50: 30·15 + 20 left over · 5 − 500 = 50 > 0
        pytest.param(15, 5, 50, 50, id="salvage-rescues-minimum"),
    ],
)
def test_moq_forces_zero_or_at_least_minimum(
    backend: str, price: float, salvage: float, ordered: float, profit: float
) -> None:
    plan = plan_for(MOQ.format(price=price, salvage=salvage), backend)

    assert all(order.quantity >= 50 - 1e-6 for order in plan.orders)
    assert sum(order.quantity for order in plan.orders) == pytest.approx(ordered)
    assert plan.objective == pytest.approx(profit)


MAX_PER_ORDER = """
    horizon: {{periods: 2}}
    products:
      - id: TEE
        price: 20
        holding_cost: {holding}
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
            max_per_order: 60
            lead_time_periods: 0
    demand:
      units:
        TEE: [0, 100]
"""


@pytest.mark.parametrize(
    ("holding", "sold", "profit"),
    [
        # 60 in period 2, 40 in period 1 held one period: 100·(20 − 10) − 40·1 = 960
        pytest.param(1, 100, 960, id="split-across-periods"),
        # holding 15 > margin 10: only 60 in period 2, 40 lost: 60·10 = 600
        pytest.param(15, 60, 600, id="lose-the-rest"),
    ],
)
def test_max_per_order_caps_every_order(
    backend: str, holding: float, sold: float, profit: float
) -> None:
    plan = plan_for(MAX_PER_ORDER.format(holding=holding), backend)

    assert all(order.quantity <= 60 + 1e-6 for order in plan.orders)
    assert plan.sales.sum() == pytest.approx(sold)
    assert plan.objective == pytest.approx(profit)


TIERS = """
    horizon: {{periods: 1}}
    products:
      - id: TEE
        price: 20
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
            discount_tiers:
              - min_quantity: 100
                unit_cost: 8
    demand:
      units:
        TEE: [{demand}]
"""


@pytest.mark.parametrize(
    ("demand", "quantity", "tier", "unit_cost", "profit"),
    [
        # 90 at 10 = 900 costs more than 100 at 8 = 800: 90·20 − 800 = 1000 (not 1800 − 900 = 900)
        pytest.param(90, 100, 1, 8, 1000, id="buy-up-to-the-break"),
        # 70 at 10 = 700 costs less than 100 at 8 = 800: 70·20 − 700 = 700 (not 1400 − 800 = 600)
        pytest.param(70, 70, 0, 10, 700, id="stay-below-the-break"),
    ],
)
def test_all_units_discount_prices_every_unit_at_the_tier_reached(
    backend: str, demand: float, quantity: float, tier: int, unit_cost: float, profit: float
) -> None:
    plan = plan_for(TIERS.format(demand=demand), backend)

    (order,) = plan.orders
    assert (order.quantity, order.tier, order.unit_cost) == pytest.approx(
        (quantity, tier, unit_cost)
    )
    assert order.total_cost == pytest.approx(quantity * unit_cost)
    assert plan.objective == pytest.approx(profit)


LEAD_TIME = """
    horizon: {{periods: 3}}
    products:
      - id: TEE
        price: 20
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
            lead_time_periods: {lead}
    demand:
      units:
        TEE: [40, 40, 40]
"""


@pytest.mark.parametrize(
    ("lead", "profit"),
    [
        pytest.param(0, 1200, id="lead-0"),  # all three periods served: 3·40·(20 − 10)
        pytest.param(1, 800, id="lead-1"),  # period 1 lost: 2·40·10
        pytest.param(2, 400, id="lead-2"),  # periods 1 and 2 lost: 40·10
    ],
)
def test_orders_arrive_lead_time_later_and_earlier_demand_is_lost(
    backend: str, lead: int, profit: float
) -> None:
    plan = plan_for(LEAD_TIME.format(lead=lead), backend)

    assert plan.orders
    assert all(order.arrival_period == order.period + lead for order in plan.orders)
    assert all(order.arrival_period <= 3 for order in plan.orders)
    assert plan.sales[0, 0].tolist() == pytest.approx([0] * lead + [40] * (3 - lead))
    assert plan.objective == pytest.approx(profit)


DEFECTS = """
    horizon: {periods: 1}
    products:
      - id: TEE
        price: 10
        unmet_demand: forbidden
    suppliers:
      - id: MILL
        defect_rate: 0.1
        terms:
          - product: TEE
            unit_cost: 10
    demand:
      units:
        TEE: [90]
"""


def test_defects_are_paid_for_so_forbidden_demand_needs_more_ordered(backend: str) -> None:
    plan = plan_for(DEFECTS, backend)

    # 90 good units need 90 / 0.9 = 100 ordered: 90·10 − 100·10 = −100 (a loss the rule forces)
    (order,) = plan.orders
    assert order.quantity == pytest.approx(100)
    assert order.good_units == pytest.approx(90)
    assert plan.sales.sum() == pytest.approx(90)
    assert plan.objective == pytest.approx(-100)


CAPACITY = """
    horizon: {{periods: 2}}
    products:
      - id: TEE
        price: 30
    suppliers:
      - id: MILL
        capacity: 500
        capacity_unit: sewing minutes
        terms:
          - product: TEE
            unit_cost: 10
            capacity_per_unit: 10
            setup_time: {setup}
    demand:
      units:
        TEE: [50, 50]
"""


@pytest.mark.parametrize(
    ("setup", "per_period", "profit"),
    [
        # 10·x ≤ 500 → 50 a period, all demand served: 100·(30 − 10) = 2000
        pytest.param(0, 50, 2000, id="no-setup"),
        # 10·x + 100 ≤ 500 → 40 a period, 20 lost: 80·20 = 1600
        pytest.param(100, 40, 1600, id="setup-eats-capacity"),
    ],
)
def test_capacity_in_minutes_counts_units_and_setup_time(
    backend: str, setup: float, per_period: float, profit: float
) -> None:
    plan = plan_for(CAPACITY.format(setup=setup), backend)

    assert [order.quantity for order in plan.orders] == pytest.approx([per_period] * 2)
    for period in (1, 2):
        ordered = sum(order.quantity for order in plan.orders if order.period == period)
        used = 10 * ordered + (setup if ordered > 0 else 0)
        assert used <= 500 + 1e-6
        assert plan.capacity_used["MILL"][period - 1] == pytest.approx(used)
    assert plan.capacity_used["MILL"] == pytest.approx([500, 500])
    assert plan.objective == pytest.approx(profit)


ONBOARDING = """
    horizon: {{periods: 1}}
    products:
      - id: TEE
        price: 20
    suppliers:
      - id: USUAL
        terms:
          - product: TEE
            unit_cost: 10
            setup_cost: {setup}
      - id: NEW
        onboarding_cost: {onboarding}
        terms:
          - product: TEE
            unit_cost: 8
    demand:
      units:
        TEE: [100]
"""


@pytest.mark.parametrize(
    ("onboarding", "setup", "supplier", "profit"),
    [
        # NEW saves 100·(10 − 8) = 200 > 150: 100·(20 − 8) − 150 = 1050
        pytest.param(150, 0, "NEW", 1050, id="saving-beats-onboarding"),
        # 200 < 250: stay with USUAL: 100·(20 − 10) = 1000
        pytest.param(250, 0, "USUAL", 1000, id="onboarding-beats-saving"),
        # USUAL needs an order switch (setup 20) that must not depend on NEW's onboarding:
        # 1000 − 20 = 980 > 1200 − 250 = 950
        pytest.param(250, 20, "USUAL", 980, id="switched-supplier-needs-no-onboarding"),
    ],
)
def test_supplier_is_onboarded_only_when_its_saving_beats_the_cost(
    backend: str, onboarding: float, setup: float, supplier: str, profit: float
) -> None:
    plan = plan_for(ONBOARDING.format(onboarding=onboarding, setup=setup), backend)

    assert {order.supplier for order in plan.orders} == {supplier}
    assert sum(order.quantity for order in plan.orders) == pytest.approx(100)
    assert plan.kpis.costs["onboarding"] == pytest.approx(onboarding if supplier == "NEW" else 0)
    assert plan.objective == pytest.approx(profit)


TWO_STAGE = """
    horizon: {periods: 3}
    products:
      - id: TEE
        price: 30
    suppliers:
      - id: SLOW
        terms:
          - product: TEE
            unit_cost: 10
            lead_time_periods: 2
      - id: FAST
        terms:
          - product: TEE
            unit_cost: 14
            lead_time_periods: 1
    demand:
      scenarios:
        - name: high
          probability: 0.5
          units:
            TEE: [0, 0, 100]
        - name: low
          probability: 0.5
          units:
            TEE: [0, 0, 20]
    reveal_period: 2
"""


def test_reorders_after_the_reveal_differ_by_scenario(backend: str) -> None:
    plan = plan_for(TWO_STAGE, backend)

    # Shared SLOW order q in period 1, FAST reorder r in period 2 once demand is known.
    # The 20 units both scenarios sell come from SLOW (30 − 10 each). A unit beyond 20 bought
    # from SLOW earns 0.5·30 − 10 = 5; reordered from FAST in high only it earns 0.5·(30 − 14) = 8.
    # high: 100·30 − 20·10 − 80·14 = 1680; low: 20·30 − 20·10 = 400; expected 1040
    # (all from SLOW: 0.5·3000 + 0.5·600 − 1000 = 800).
    shared = [order for order in plan.orders if order.period == 1]
    reorders = [order for order in plan.orders if order.period >= 2]
    assert [(o.supplier, o.scenario) for o in shared] == [("SLOW", None)]
    assert shared[0].quantity == pytest.approx(20)
    assert [(o.supplier, o.period, o.scenario) for o in reorders] == [("FAST", 2, "high")]
    assert reorders[0].quantity == pytest.approx(80)
    assert plan.kpis.profit_by_scenario == pytest.approx({"high": 1680, "low": 400})
    assert plan.objective == pytest.approx(1040)


def test_without_a_reveal_every_order_is_shared(backend: str) -> None:
    plan = plan_for(TWO_STAGE.replace("reveal_period: 2", ""), backend)

    # One plan for both futures. SLOW units: 20 earn 20 each, the next 80 earn 0.5·30 − 10 = 5;
    # FAST units beyond 20 earn 0.5·30 − 14 = 1 < 5, so all from SLOW:
    # 20·20 + 80·5 = 800.
    assert all(order.scenario is None for order in plan.orders)
    assert {order.supplier for order in plan.orders} == {"SLOW"}
    assert plan.objective == pytest.approx(800)


SETUP_COST = """
    horizon: {periods: 3}
    products:
      - id: TEE
        price: 20
        holding_cost: 1.5
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
            setup_cost: 100
    demand:
      units:
        TEE: [50, 50, 50]
"""


def test_setup_cost_trades_off_against_holding(backend: str) -> None:
    plan = plan_for(SETUP_COST, backend)

    # Wagner–Whitin by hand (setup 100, holding 1.5 a unit-period):
    # three orders 300; one order 100 + (100 + 50)·1.5 = 325;
    # two orders (periods 1+3 or 1+2) 200 + 50·1.5 = 275, the least: 150·(20 − 10) − 275 = 1225
    assert len(plan.orders) == 2
    assert all(
        order.total_cost == pytest.approx(order.quantity * 10 + 100) for order in plan.orders
    )
    assert plan.kpis.costs["setup"] == pytest.approx(200)
    assert plan.kpis.costs["holding"] == pytest.approx(75)
    assert plan.objective == pytest.approx(1225)


LOOSE_BOUND = 1e5
"""A big-M no order in the random scenarios comes near [units]."""


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
@settings(max_examples=15, deadline=None)
@given(data=small_scenarios())
def test_tight_order_bounds_never_cut_off_the_optimum(backend: str, data: dict[str, Any]) -> None:
    scenario = fs.Scenario.model_validate(data)
    futures = demand_scenarios(scenario)
    exact = SolverOptions(gap=1e-9)
    tight, _ = build_program(scenario, futures, strengthen=False)

    def loose_bounds(*args: Any) -> Any:
        return np.full_like(order_upper_bounds(*args), LOOSE_BOUND)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model_build, "order_upper_bounds", loose_bounds)
        loose, _ = build_program(scenario, futures, strengthen=False)

    assert (loose.col_upper == LOOSE_BOUND).any()
    solver = get_backend(backend)
    assert solver.solve(tight, exact).objective == pytest.approx(
        solver.solve(loose, exact).objective, rel=1e-6, abs=1e-4
    )


LOTS = """
    horizon: {{periods: 1}}
    products:
      - id: TEE
        price: {price}
    suppliers:
      - id: MILL
        terms:
          - product: TEE
            unit_cost: 10
            order_multiple: 50
    demand:
      units:
        TEE: [130]
"""


@pytest.mark.parametrize(
    ("price", "ordered", "profit"),
    [
        # 150 sells 130: 130·20 − 1500 = 1100 beats 100: 100·20 − 1000 = 1000
        pytest.param(20, 150, 1100, id="round-up"),
        # 150: 130·15 − 1500 = 450 loses to 100 with 30 sales lost: 100·15 − 1000 = 500
        pytest.param(15, 100, 500, id="round-down-with-lost-sales"),
    ],
)
def test_order_multiple_orders_whole_lays(
    backend: str, price: float, ordered: float, profit: float
) -> None:
    plan = plan_for(LOTS.format(price=price), backend)

    assert [order.quantity for order in plan.orders] == [pytest.approx(ordered)]
    assert plan.objective == pytest.approx(profit)
