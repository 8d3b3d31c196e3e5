"""Reorder rules: the hand answer on two styles, and the profit of following them on the futures."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from planning import rounded_plan_value

import flexsupply as fs
from flexsupply.plan.orders import Order
from flexsupply.plan.rules import step_of

TWO_STYLES = Path(__file__).parent / "data" / "rules" / "two-styles.yaml"
HAND_PROFIT = 13_454.0
"""Worked out in the scenario file's comments: revenue 17,000, purchases 3,520, holding 26."""


def with_a_late_hit() -> fs.Scenario:
    """The two styles plus a future whose coat demand looks like ``base`` in week 1 only."""
    data = yaml.safe_load(TWO_STYLES.read_text(encoding="utf-8"))
    futures = data["demand"]["scenarios"]
    futures[1]["probability"] = 0.2
    futures.append(
        {"name": "late-hit", "probability": 0.2, "units": {"COAT": [30, 100], "TEE": [40, 40]}}
    )
    return fs.Scenario.model_validate(data)


def rule_orders(plan: fs.Plan) -> SimpleNamespace:
    """Returns the plan's first batch plus, in each future, the lines its rules give."""
    orders = [order for order in plan.orders if order.scenario is None]
    for w, future in enumerate(plan.scenarios):
        for rule in plan.reorder_rules:
            p = plan.products.index(rule.product)
            observed = float(plan.demand[w, p, : rule.observed_through].sum())
            orders += [
                Order(
                    line.supplier,
                    rule.product,
                    line.period,
                    line.period,
                    line.quantity,
                    line.quantity,
                    0.0,
                    0.0,
                    line.tier,
                    future,
                )
                for line in step_of(rule, observed).lines
            ]
    return SimpleNamespace(orders=orders, scenarios=plan.scenarios)


def test_two_styles_give_the_hand_rule(backend: str) -> None:
    plan = fs.solve(fs.load(TWO_STYLES), backend)

    coat, tee = plan.reorder_rules
    assert coat.product == "COAT"
    assert coat.observed_through == 1
    assert [(s.above, s.up_to, s.quantity) for s in coat.steps] == [
        (None, 20.0, 0.0),
        (20.0, 40.0, 40.0),
        (40.0, None, 100.0),
    ]
    assert [s.futures for s in coat.steps] == [["calm"], ["base"], ["hit"]]
    assert [(line.supplier, line.period) for line in coat.steps[1].lines] == [("MILL", 2)]
    assert tee.product == "TEE"
    assert [(s.above, s.up_to, s.quantity) for s in tee.steps] == [(None, None, 40.0)]


def test_following_the_rules_gives_the_plan_when_they_tell_every_future_apart(
    backend: str,
) -> None:
    plan = fs.solve(fs.load(TWO_STYLES), backend)

    assert plan.objective == pytest.approx(HAND_PROFIT)
    assert plan.rules_profit == pytest.approx(HAND_PROFIT)


def test_futures_the_rule_cannot_tell_apart_share_a_step_and_cost_profit(backend: str) -> None:
    scenario = with_a_late_hit()
    plan = fs.solve(scenario, backend)

    coat = plan.reorder_rules[0]
    (shared,) = [step for step in coat.steps if "base" in step.futures]
    assert sorted(shared.futures) == ["base", "late-hit"]
    quantities = [step.quantity for step in coat.steps]
    assert quantities == sorted(quantities)
    assert plan.rules_profit is not None
    assert plan.rules_profit < plan.objective - 1.0
    # What following the rules gives, recomputed by fixing their orders and solving the rest.
    assert plan.rules_profit == pytest.approx(
        rounded_plan_value(scenario, rule_orders(plan), backend)[0],
        abs=1e-4,  # type: ignore[arg-type]
    )


def test_plan_json_and_the_rules_table_carry_the_rules(tmp_path: Path) -> None:
    plan = fs.solve(fs.load(TWO_STYLES))

    rules = plan.to_dict()["reorder_rules"]
    frame_rows = plan.to_frame("reorder_rules").to_dict("records")

    assert rules["expected_profit_following_rules"] == pytest.approx(HAND_PROFIT)
    assert [rule["product"] for rule in rules["rules"]] == ["COAT", "TEE"]
    assert [(r["product"], r["quantity"]) for r in frame_rows] == [
        ("COAT", 0),
        ("COAT", 40),
        ("COAT", 100),
        ("TEE", 40),
    ]
