"""Plan outputs: dict, JSON (stable, atomic), data frames, and KPIs that add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flexsupply as fs

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"


@pytest.fixture(scope="module")
def plan() -> fs.Plan:
    return fs.solve(fs.load(SMALL))


def test_json_is_stable_and_written_atomically(plan: fs.Plan, tmp_path: Path) -> None:
    target = tmp_path / "plan.json"

    text = plan.to_json(target)

    assert target.read_text(encoding="utf-8") == text
    assert not list(tmp_path.glob("*.tmp"))
    assert list(json.loads(text))[:4] == ["scenario", "currency", "status", "objective"]
    assert plan.to_json() == text


def test_kpis_add_up_to_the_objective(plan: fs.Plan) -> None:
    kpis = plan.kpis

    assert kpis.expected_profit == pytest.approx(plan.objective)
    assert kpis.revenue - sum(kpis.costs.values()) == pytest.approx(kpis.expected_profit)
    assert sum(kpis.revenue_by_kind.values()) == pytest.approx(kpis.revenue)


def test_orders_frame_matches_the_order_list(plan: fs.Plan) -> None:
    frame = plan.to_frame("orders")

    assert list(frame["quantity"]) == [order.quantity for order in plan.orders]
    assert set(frame.columns) >= {"supplier", "product", "period", "arrival_period", "quantity"}


def test_unknown_table_is_a_clear_error(plan: fs.Plan) -> None:
    with pytest.raises(fs.FlexsupplyError, match="choose one of orders, purchase_orders, "):
        plan.to_frame("nope")
