"""Campaigns as decisions: bought when worth their fee, within the budget, the same on both backends."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.batch import run_batch, sweep_variants
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.plan.compare import compare_plans
from flexsupply.solve.decompose import partition
from flexsupply.solve.lever_stage import with_plan_levers
from flexsupply.solve.simulate import first_stage_from_orders

DATA = Path(__file__).parent / "data" / "levers"
MARGIN = 60.0
"""TEE sells at 100 and costs 40 in every fixture here [currency/unit]."""


def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DATA / "campaigns.yaml").read_text())
    return loaded


def _slot(name: str, fee: float, units: float, period: int = 2) -> dict[str, Any]:
    lift = [0.0, 0.0, 0.0]
    lift[period - 1] = units
    return {
        "name": name,
        "kind": "livestream",
        "period": period,
        "fee": fee,
        "scale_with_demand": False,
        "styles": [{"product": "TEE", "units": lift}],
    }


def _bought(plan: fs.Plan) -> dict[str, float]:
    assert plan.levers is not None
    return {c.name: c.bought[0] for c in plan.levers.campaigns}


def test_a_campaign_worth_its_fee_is_bought_and_one_above_its_margin_is_not(backend: str) -> None:
    plan = fs.solve(fs.load(DATA / "campaigns.yaml"), solver=backend)

    assert _bought(plan) == {"slot-a": 1.0, "slot-b": 0.0}
    base = 200 * MARGIN + 100 * 10.0
    assert plan.objective == pytest.approx(base + 100 * MARGIN - 3000)
    assert plan.levers is not None
    slot = plan.levers.campaigns[0]
    assert (slot.cost, slot.sales, slot.revenue) == pytest.approx((3000, 100, 10_000))
    assert slot.roas == pytest.approx(10_000 / 3000)


@pytest.mark.parametrize(
    ("budget", "bought"),
    [(None, {"A": 1.0, "B": 1.0, "C": 1.0}), (7000, {"A": 1.0, "B": 1.0, "C": 0.0})],
)
def test_a_binding_budget_buys_the_best_returns_first(
    backend: str, budget: float | None, bought: dict[str, float]
) -> None:
    data = _data()
    # Margins 9,000, 8,000 and 6,000 for fees 3,000, 4,000 and 4,000: returns 3, 2 and 1.5.
    data["levers"] = {
        "marketing_budget": budget,
        "campaigns": [_slot("A", 3000, 150), _slot("B", 4000, 0, 3), _slot("C", 4000, 100)],
    }
    data["levers"]["campaigns"][1]["styles"][0]["units"] = [0, 0, 8000 / MARGIN]

    plan = fs.solve(fs.loads(data), solver=backend)

    assert _bought(plan) == bought
    spent = sum(fee for fee, name in ((3000, "A"), (4000, "B"), (4000, "C")) if bought[name])
    assert plan.kpis.costs["marketing"] == pytest.approx(spent)


def test_livestream_commission_is_paid_on_its_sales(backend: str) -> None:
    data = _data()
    data["levers"]["campaigns"] = [_slot("live", 1000, 100)]
    data["levers"]["campaigns"][0]["commission"] = 0.2

    plan = fs.solve(fs.loads(data), solver=backend)

    # Each unit brings 100 - 40 - 20 = 40 after commission: 4,000 for a fee of 1,000.
    assert _bought(plan) == {"live": 1.0}
    assert plan.kpis.costs["commission"] == pytest.approx(0.2 * 100 * 100)
    assert plan.objective == pytest.approx(200 * MARGIN + 1000 + 100 * 40 - 1000)


def test_posts_reach_the_density_threshold_when_the_multiplier_pays_for_it(backend: str) -> None:
    data = _data()
    data["levers"]["campaigns"] = [
        {
            "name": "koc",
            "kind": "posts",
            "period": 2,
            "fee_per_post": 700,
            "max_posts": 20,
            "reach_per_post": 1000,
            "engagement": 0.1,
            "conversion": 0.1,
            "density_threshold": 10,
            "density_multiplier": 1.5,
            "scale_with_demand": False,
            "styles": [{"product": "TEE"}],
        }
    ]

    plan = fs.solve(fs.loads(data), solver=backend)

    # One post sells 10 units (margin 600 < fee 700); from 10 posts on each sells 15 (900 > 700).
    assert _bought(plan) == {"koc": 20.0}
    assert plan.objective == pytest.approx(200 * MARGIN + 1000 + 20 * (15 * MARGIN - 700))


def test_paid_traffic_fills_the_cheap_tier_first_and_stops_where_a_click_costs_its_margin(
    backend: str,
) -> None:
    data = _data()
    tiers = [{"clicks": 1000, "cost_per_click": 1.0}, {"clicks": 1000, "cost_per_click": 2.0}]
    data["levers"]["campaigns"] = [
        {
            "name": "ads",
            "kind": "paid_traffic",
            "period": 2,
            "conversion": 0.03,
            "click_tiers": tiers,
            "scale_with_demand": False,
            "styles": [{"product": "TEE"}],
        }
    ]

    plan = fs.solve(fs.loads(data), solver=backend)

    # A click sells 0.03 units: margin 1.8, above the first tier's 1.0, below the second's 2.0.
    assert _bought(plan) == {"ads": pytest.approx(1000.0)}
    assert plan.objective == pytest.approx(200 * MARGIN + 1000 + 1000 * (0.03 * MARGIN - 1.0))


def test_batch_sweeps_a_campaign_fee_by_its_name(tmp_path: Path) -> None:
    variants = sweep_variants(["levers.campaigns.slot-a.fee=[3000, 7000]"], include_base=False)

    results = run_batch(DATA / "campaigns.yaml", variants, workers=1)

    bought = []
    for result in results:
        assert result.plan is not None
        bought.append(result.plan["levers"]["campaigns"][0]["bought"])
    assert bought == [[1.0], [0.0]]
    plans = [result.plan for result in results if result.plan is not None]
    rows = {row.label: row.values for row in compare_plans(plans, ["3000", "7000"]).rows}
    assert rows["slot-a bought"] == [1.0, 0.0]
    assert rows["marketing and commission"] == [3000.0, 0.0]


def _shared_campaign_data() -> dict[str, Any]:
    data = copy.deepcopy(_data())
    data["levers"]["marketing_budget"] = 5000
    data["levers"]["campaigns"].append(
        {
            "name": "cap-live",
            "kind": "livestream",
            "period": 2,
            "fee": 1000,
            "scale_with_demand": False,
            "styles": [
                {"product": "CAP", "units": [0, 80, 0]},
                {"product": "TEE", "units": [0, 20, 0]},
            ],
        }
    )
    data["levers"]["campaigns"].append(_slot("cap-only", 500, 0))
    data["levers"]["campaigns"][-1]["styles"] = [{"product": "CAP", "units": [0, 0, 30]}]
    return data


def test_the_marketing_budget_is_a_linking_row_found_from_the_style_tags() -> None:
    scenario = fs.loads(_shared_campaign_data())
    program, model = build_program(scenario, demand_scenarios(scenario))

    parts = partition(program)

    budget = program.row_blocks["marketing_budget"].indices().ravel()
    assert set(budget.tolist()) <= set(parts.linking_rows.tolist())
    assert model.levers is not None
    buy = model.levers.campaigns.buy[:, 0]
    assert program.styles()[buy].tolist() == [0, 0, -1, 1]


def test_decomposition_solves_a_levers_season_to_the_monolithic_optimum() -> None:
    scenario = fs.loads(_shared_campaign_data())

    monolithic = fs.solve(scenario, method="monolithic")
    decomposed = fs.solve(scenario, method="decompose", workers=1)

    assert decomposed.objective == pytest.approx(monolithic.objective, rel=1e-4)
    assert decomposed.bound >= monolithic.objective - 1e-6 * abs(monolithic.objective)
    assert np.isfinite(decomposed.bound)


def test_a_fixed_first_stage_keeps_the_campaigns_decided_before_the_reveal(backend: str) -> None:
    scenario = fs.load(DATA / "campaigns.yaml")
    plan = fs.solve(scenario, solver=backend)
    first = with_plan_levers(first_stage_from_orders(scenario, plan.orders), scenario, plan.levers)
    assert first.levers is not None
    # Fees too high to buy slot-a again: fixed, the plan still pays for it and gets its demand.
    costly = fs.loads(
        {
            **_data(),
            "levers": {"campaigns": [_slot("slot-a", 9000, 100), _slot("slot-b", 4000, 50, 3)]},
        }
    )
    fixed_program, fixed_model = build_program(
        costly, demand_scenarios(costly), fixed_first_stage=first
    )
    free_program, _ = build_program(costly, demand_scenarios(costly))

    fixed = get_backend(backend).solve(fixed_program, SolverOptions())
    free = get_backend(backend).solve(free_program, SolverOptions())

    assert fixed.objective == pytest.approx(200 * MARGIN + 1000 + 100 * MARGIN - 9000)
    assert free.objective == pytest.approx(200 * MARGIN + 1000)
    assert fixed_model.levers is not None


@pytest.mark.parametrize(("fee", "commission", "posts"), [(50.0, 0.5, 20.0), (150.0, 0.5, 0.0)])
def test_posts_paid_per_sale_are_bought_while_a_post_earns_its_fee(
    backend: str, fee: float, commission: float, posts: float
) -> None:
    data = _data()
    data["levers"]["campaigns"] = [
        {
            "name": "affiliates",
            "kind": "posts",
            "period": 2,
            "fee_per_post": fee,
            "commission": commission,
            "max_posts": 20,
            "scale_with_demand": False,
            "styles": [{"product": "TEE", "units": [0, 10, 0]}],
        }
    ]

    plan = fs.solve(fs.loads(data), solver=backend)

    # A post sells 10 units at 100 - 40 - 50 (commission) = 10 each: 100 against its fee.
    assert _bought(plan) == {"affiliates": posts}
    assert plan.kpis.costs["commission"] == pytest.approx(commission * 100 * 10 * posts)
    assert plan.objective == pytest.approx(200 * MARGIN + 1000 + posts * (10 * 10 - fee))


@settings(max_examples=12, deadline=None)
@given(
    fees=st.lists(st.integers(0, 9000), min_size=3, max_size=3),
    units=st.lists(st.integers(0, 150), min_size=3, max_size=3),
    budget=st.none() | st.integers(0, 12000),
    rate=st.sampled_from([0.0, 0.1, 0.3]),
    discount=st.sampled_from([0.1, 0.3]),
)
def test_both_backends_agree_on_random_levers(
    fees: list[int], units: list[int], budget: int | None, rate: float, discount: float
) -> None:
    data = _data()
    data["levers"] = {
        "marketing_budget": budget,
        "campaigns": [
            _slot(f"slot-{i}", fee, lift, period)
            for i, (fee, lift, period) in enumerate(zip(fees, units, (2, 3, 2), strict=True))
        ],
        "repurchase": {"rate": rate, "lag_periods": 1},
        "markdown": [
            {"products": ["CAP"], "price_points": [{"discount": discount}], "elasticity": 2.0}
        ],
    }
    data["options"] = {"whole_pieces": False}
    scenario = fs.loads(data)

    plans = [fs.solve(scenario, solver=backend) for backend in ("ortools", "pulp")]

    assert plans[0].objective == pytest.approx(plans[1].objective, rel=1e-6, abs=1e-4)
    spent = plans[0].kpis.costs["marketing"]
    assert budget is None or spent <= budget + 1e-6
