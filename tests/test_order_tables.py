"""Purchase orders: lines and totals add up to the orders, and payments to the cash model's outflows."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from planning import order_values

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.plan.order_tables import purchase_orders_table
from flexsupply.scenario.starter import template_text

DATED = Path(__file__).parent / "data" / "outputs" / "dated.yaml"


@pytest.fixture(scope="module")
def season() -> tuple[fs.Scenario, fs.Plan]:
    """The spring-drop starter: two factories with setup costs, payment terms and minutes."""
    scenario = fs.loads(template_text("spring-drop"), source="spring-drop.yaml")
    return scenario, fs.solve(scenario)


def rows(plan: fs.Plan) -> list[dict[str, object]]:
    table = purchase_orders_table(plan)
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def test_lines_are_the_first_batch_and_totals_add_up(season: tuple[fs.Scenario, fs.Plan]) -> None:
    _, plan = season
    first = [order for order in plan.orders if order.scenario is None]
    table = rows(plan)
    lines = [row for row in table if row["row"] == "line"]

    assert len(lines) == len(first) > 0
    for row in lines:
        assert row["total_cost"] == pytest.approx(
            row["quantity"] * row["unit_cost"] + row["setup_cost"], abs=0.01
        )
        assert row["total_cost"] == pytest.approx(
            row["upfront_payment"] + row["balance_payment"], abs=0.01
        )
    for supplier in {order.supplier for order in first}:
        (total,) = [r for r in table if r["row"] == "supplier total" and r["supplier"] == supplier]
        mine = [order for order in first if order.supplier == supplier]
        assert total["quantity"] == sum(order.quantity for order in mine)
        assert total["setup_cost"] == pytest.approx(sum(o.setup_cost for o in mine), abs=0.01)
        assert total["total_cost"] == pytest.approx(
            sum(o.quantity * o.unit_cost + o.setup_cost for o in mine), abs=0.01
        )
    (grand,) = [row for row in table if row["row"] == "total"]
    assert grand["total_cost"] == pytest.approx(sum(o.total_cost for o in first), abs=0.01)
    assert grand["quantity"] == sum(order.quantity for order in first)


def test_setup_is_shown_apart_from_the_goods(season: tuple[fs.Scenario, fs.Plan]) -> None:
    scenario, plan = season
    setups = {
        (supplier.id, product): term.setup_cost
        for supplier in scenario.suppliers
        for term in supplier.terms
        for product in term.product_ids
    }

    for row in rows(plan):
        if row["row"] == "line":
            assert row["setup_cost"] == setups[str(row["supplier"]), str(row["product"])]
            assert row["goods_cost"] == pytest.approx(row["quantity"] * row["unit_cost"], abs=0.01)


def test_payments_are_the_cash_models_outflows_for_the_orders(
    season: tuple[fs.Scenario, fs.Plan],
) -> None:
    scenario, plan = season
    program, model = build_program(scenario, demand_scenarios(scenario))
    x = order_values(scenario, plan, model, program.n_columns)
    block = program.row_blocks["cash_balance"]
    periods, n_futures = block.shape
    # Row (t, ω) of the cash balance reads cash[t] - cash[t-1] + outflows - inflows = 0, so the
    # order columns' terms in it are the money paid for orders in period t of future ω.
    paid_by_model = (program.matrix @ x)[block.start : block.stop].reshape(periods, n_futures)
    paid_by_plan = np.zeros((periods, n_futures))
    for order in plan.orders:
        futures = (
            range(n_futures) if order.scenario is None else [plan.scenarios.index(order.scenario)]
        )
        for w in futures:
            paid_by_plan[order.period - 1, w] += order.upfront_payment
            if order.balance_period <= periods:
                paid_by_plan[order.balance_period - 1, w] += order.balance_payment

    np.testing.assert_allclose(paid_by_model, paid_by_plan, atol=0.01)


def test_purchase_orders_carry_dates_beside_weeks(season: tuple[fs.Scenario, fs.Plan]) -> None:
    _, plan = season
    assert plan.start_date is not None

    for row in rows(plan):
        if row["row"] == "line":
            weeks = int(str(row["period"])) - 1
            assert (row["order_date"] - plan.start_date).days == 7 * weeks  # type: ignore[operator]
            assert row["arrival_date"] > row["order_date"]  # type: ignore[operator]


def test_capacity_used_is_minutes_per_piece_plus_setup_time(
    season: tuple[fs.Scenario, fs.Plan],
) -> None:
    scenario, plan = season
    minutes = {p.id: p.standard_minutes for p in scenario.products}
    setup_time = {
        (supplier.id, product): term.setup_time
        for supplier in scenario.suppliers
        for term in supplier.terms
        for product in term.product_ids
    }
    used: dict[str, float] = defaultdict(float)

    for row in rows(plan):
        if row["row"] == "line":
            key = (str(row["supplier"]), str(row["product"]))
            expected = float(row["quantity"]) * (minutes[key[1]] or 1) + setup_time[key]  # type: ignore[arg-type]
            assert row["capacity_used"] == pytest.approx(expected, abs=1e-3)
            assert row["capacity_unit"] == "sewing minutes"
            used[key[0]] += expected
        elif row["row"] == "supplier total":
            assert row["capacity_used"] == pytest.approx(used[str(row["supplier"])], abs=1e-3)


def test_a_plan_without_dates_has_week_numbers_only() -> None:
    plan = fs.solve(fs.load(Path(__file__).parent / "data" / "cli" / "small.yaml"))

    header = purchase_orders_table(plan).header

    assert "period" in header
    assert "order_date" not in header
