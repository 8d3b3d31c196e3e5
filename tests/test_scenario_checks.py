"""Checks across fields: combinations no plan can meet are errors that name both fields."""

from __future__ import annotations

from pathlib import Path

import pytest

import flexsupply as fs

MINIMAL = (Path(__file__).parent / "data" / "scenario" / "minimal.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        pytest.param(
            "moq: 50",
            "moq: 50\n        max_per_order: 10",
            "suppliers[0].terms[0].moq",
            "moq (50) is above max_per_order (10): no order can meet both",
            id="moq-above-max-per-order",
        ),
        pytest.param(
            "moq: 50",
            "moq: 50\n        max_per_order: 100\n"
            "        discount_tiers: [{min_quantity: 500, unit_cost: 100}]",
            "suppliers[0].terms[0].discount_tiers[0].min_quantity",
            "min_quantity (500) is above max_per_order (100): no order can reach this tier",
            id="tier-above-max-per-order",
        ),
        pytest.param(
            "deposit: 50",
            "deposit: 300",
            "presale[0].deposit",
            "deposit (300) must not exceed the price (299, the price of DRESS-01)",
            id="deposit-above-product-price",
        ),
        pytest.param(
            "deposit: 50",
            "deposit: 50\n    price: 40",
            "presale[0]",
            "deposit (50) must not exceed the price (40)",
            id="deposit-above-order-price",
        ),
        pytest.param(
            "promise_periods: 2",
            "promise_periods: 3",
            "presale[0].promise_periods",
            "the order is due in period 4 (period 1 + promise_periods 3), after the horizon 1..3",
            id="due-after-horizon",
        ),
        pytest.param(
            "products: [DRESS-01, SHIRT-02]",
            "products: []",
            "suppliers[1].terms[0].products",
            "needs at least one item",
            id="terms-for-no-product",
        ),
        pytest.param(
            "periods: 3",
            "periods: 3\n  start_date: 9999-12-01",
            "horizon.start_date",
            "must be ≤ 2999-12-31, got 9999-12-01",
            id="start-date-at-the-end-of-time",
        ),
    ],
)
def test_impossible_combinations_are_located_errors(
    old: str, new: str, path: str, message: str
) -> None:
    assert MINIMAL.count(old) == 1

    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(MINIMAL.replace(old, new), "m.yaml")

    (problem,) = caught.value.problems
    assert problem.path == path
    assert message in problem.message
    assert problem.line is not None


def test_a_presale_due_in_the_last_period_is_fine() -> None:
    scenario = fs.loads(MINIMAL)

    assert scenario.presale[0].period + scenario.presale[0].promise_periods == 3
