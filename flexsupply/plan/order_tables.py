"""Order tables: every order of the plan, and the first batch as purchase orders per supplier."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

from flexsupply.plan.orders import Order
from flexsupply.plan.rules import ReorderRule, RuleLine, step_range
from flexsupply.plan.tables import (
    PRICE_DIGITS,
    Cell,
    Column,
    Dates,
    Table,
    money,
    period_cells,
    period_columns,
    period_word,
    pieces,
    plan_dates,
    rounded,
    share,
    units,
)

if TYPE_CHECKING:
    from flexsupply.plan.plan import Plan

LINE, SUPPLIER_TOTAL, TOTAL = "line", "supplier total", "total"
"""The ``row`` values of the purchase-order table: an order line, a supplier's total, the total."""


def orders_table(plan: Plan) -> Table:
    """Returns one row per order, first batch and reorders (units, money in the plan's currency).

    ``stage`` is ``first`` for an order shared by every demand future, placed now, and
    ``reorder`` for one placed from the reveal period on in the future named by ``scenario``;
    with several reveal points a ``node`` column names the tree node whose futures share it.
    ``goods_cost`` is units × unit cost, ``setup_cost`` the fixed cost of the order, and
    ``total_cost`` their sum. Payments follow the supplier's terms: ``upfront_payment`` when
    the order is placed (upfront share and setup), ``balance_payment`` in ``balance_period``.
    """
    dates = plan_dates(plan)
    cur = plan.currency
    when = period_word(plan)
    columns = [
        Column("supplier", "Supplier"),
        Column("product", "Style"),
        Column("stage", "Stage"),
        Column("scenario", "Future"),
        *period_columns("period", "period_start", f"Order {when.lower()}", dates),
        *period_columns("arrival_period", "arrival_date", f"Arrival {when.lower()}", dates),
        Column("quantity", "Quantity [pcs]", "integer"),
        Column("good_units", "Good units [pcs]", "units"),
        Column("unit_cost", f"Unit cost [{cur}/pc]", "price"),
        Column("goods_cost", f"Goods [{cur}]", "money"),
        Column("setup_cost", f"Setup [{cur}]", "money"),
        Column("total_cost", f"Total [{cur}]", "money"),
        Column("tier", "Price tier", "integer"),
        Column("upfront_payment", f"Paid at order [{cur}]", "money"),
        *period_columns("balance_period", "balance_date", f"Balance {when.lower()}", dates),
        Column("balance_payment", f"Balance [{cur}]", "money"),
    ]
    rows = [_order_row(order, dates) for order in plan.orders]
    if any(order.node is not None for order in plan.orders):
        columns.insert(4, Column("node", "Tree node"))
        rows = [
            [*row[:4], order.node or "", *row[4:]]
            for row, order in zip(rows, plan.orders, strict=True)
        ]
    return Table("orders", columns, rows)


def _order_row(order: Order, dates: Dates) -> list[Cell]:
    return [
        order.supplier,
        order.product,
        "first" if order.scenario is None else "reorder",
        order.scenario or "",
        *period_cells(order.period, dates),
        *period_cells(order.arrival_period, dates),
        pieces(order.quantity),
        units(order.good_units),
        rounded(order.unit_cost, PRICE_DIGITS),
        money(order.quantity * order.unit_cost),
        money(order.setup_cost),
        money(order.total_cost),
        order.tier,
        money(order.upfront_payment),
        *period_cells(order.balance_period, dates),
        money(order.balance_payment),
    ]


def purchase_orders_table(plan: Plan) -> Table:
    """Returns the first batch as purchase orders: the lines per supplier, then totals.

    Rows with ``row`` = ``line`` are the orders to place now (shared by every demand future);
    each supplier's lines end with a ``supplier total`` row, and the table with a ``total``
    row. ``capacity_used`` is in the supplier's ``capacity_unit``; ``capacity_share`` is that
    use over the supplier's capacity in the order's period (for a total, over the periods its
    lines are placed in), empty where capacity is unlimited.
    """
    dates = plan_dates(plan)
    cur = plan.currency
    when = period_word(plan).lower()
    columns = [
        Column("row", "Row"),
        Column("supplier", "Supplier"),
        Column("product", "Style"),
        *period_columns("period", "order_date", f"Order {when}", dates),
        *period_columns("arrival_period", "arrival_date", f"Arrival {when}", dates),
        Column("quantity", "Quantity [pcs]", "integer"),
        Column("unit_cost", f"Unit cost [{cur}/pc]", "price"),
        Column("goods_cost", f"Goods [{cur}]", "money"),
        Column("setup_cost", f"Setup [{cur}]", "money"),
        Column("total_cost", f"Total [{cur}]", "money"),
        Column("upfront_payment", f"Paid at order [{cur}]", "money"),
        *period_columns("balance_period", "balance_date", f"Balance {when}", dates),
        Column("balance_payment", f"Balance [{cur}]", "money"),
        Column("capacity_used", "Capacity used", "capacity"),
        Column("capacity_unit", "Capacity unit"),
        Column("capacity_share", "Share of capacity", "share"),
    ]
    blank: list[None] = [None] * (1 if dates is None else 2)
    by_supplier: dict[str, list[Order]] = defaultdict(list)
    for order in plan.orders:
        if order.scenario is None:
            by_supplier[order.supplier].append(order)
    rows: list[list[Cell]] = []
    everything: list[Order] = []
    for supplier in plan.suppliers:
        lines = by_supplier.get(supplier, [])
        if not lines:
            continue
        unit = plan.capacity_units.get(supplier, "units")
        for order in lines:
            available = plan.capacity[supplier][order.period - 1]
            rows.append(
                [
                    LINE,
                    supplier,
                    order.product,
                    *period_cells(order.period, dates),
                    *period_cells(order.arrival_period, dates),
                    pieces(order.quantity),
                    rounded(order.unit_cost, PRICE_DIGITS),
                    money(order.quantity * order.unit_cost),
                    money(order.setup_cost),
                    money(order.total_cost),
                    money(order.upfront_payment),
                    *period_cells(order.balance_period, dates),
                    money(order.balance_payment),
                    units(order.capacity_used),
                    unit,
                    None if not available else share(order.capacity_used / available),
                ]
            )
        rows.append(_total_row(SUPPLIER_TOTAL, supplier, lines, blank, unit, _share(plan, lines)))
        everything += lines
    if everything:
        rows.append(_total_row(TOTAL, "", everything, blank, "", None))
    return Table("purchase_orders", columns, rows)


def _share(plan: Plan, lines: list[Order]) -> float | None:
    """Returns one supplier's capacity used over its capacity in the periods of its lines."""
    supplier = lines[0].supplier
    periods = sorted({order.period for order in lines})
    available = [plan.capacity[supplier][t - 1] for t in periods]
    if any(value is None for value in available):
        return None
    total = sum(value for value in available if value is not None)
    return None if total <= 0 else share(sum(o.capacity_used for o in lines) / total)


def _total_row(
    kind: str,
    supplier: str,
    lines: list[Order],
    blank: list[None],
    unit: str,
    used_share: float | None,
) -> list[Cell]:
    same_unit = unit != ""
    return [
        kind,
        supplier,
        "",
        *blank,
        *blank,
        sum(pieces(order.quantity) for order in lines),
        None,
        money(sum(order.quantity * order.unit_cost for order in lines)),
        money(sum(order.setup_cost for order in lines)),
        money(sum(order.total_cost for order in lines)),
        money(sum(order.upfront_payment for order in lines)),
        *blank,
        money(sum(order.balance_payment for order in lines)),
        units(sum(order.capacity_used for order in lines)) if same_unit else None,
        unit,
        used_share,
    ]


def rule_text(plan: Plan, rule: ReorderRule) -> str:
    """Returns one style's rule in words, e.g. ``COAT: demand in weeks 1-4 ≤ 20 → no reorder; …``.

    Demand thresholds are in pieces, rounded to whole pieces: a step ``(above, up_to]`` reads
    ``floor(above) + 1–floor(up_to)``.
    """
    dates = plan_dates(plan)
    word = period_word(plan).lower()
    through = rule.observed_through
    seen = f"{word} 1" if through == 1 else f"{word}s 1–{through}"
    if dates is not None:
        seen += f" (to {dates(through + 1) - timedelta(days=1):%d %b})"
    parts = []
    for step in rule.steps:
        parts.append(
            f"{step_range(step.above, step.up_to)} → {_lines_text(plan, step.lines, dates)}"
        )
    return f"{rule.product}: demand in {seen} " + "; ".join(parts)


def _lines_text(plan: Plan, lines: list[RuleLine], dates: Dates) -> str:
    if not lines:
        return "no reorder"
    word = period_word(plan).lower()
    return ", ".join(
        f"{line.quantity:,.0f} pcs from {line.supplier} in {word} {line.period}"
        + ("" if dates is None else f" ({dates(line.period):%d %b})")
        for line in lines
    )


def reorder_rules_table(plan: Plan) -> Table:
    """Returns one row per step of each style's reorder rule.

    A step applies when the style's spot demand in the periods up to ``observed_through``
    (the ones before the reveal) is above ``demand_above`` and at most ``demand_up_to``
    (empty: no bound) [pcs]; ``quantity`` is the pieces reordered then, ``lines`` who makes
    them and when, ``futures`` the demand futures in the step and ``probability`` their total.
    """
    dates = plan_dates(plan)
    columns = [
        Column("product", "Style"),
        Column("step", "Step", "integer"),
        *period_columns(
            "observed_through",
            "observed_until",
            f"Demand seen to {period_word(plan).lower()}",
            dates,
        ),
        Column("demand_above", "Demand above [pcs]", "units"),
        Column("demand_up_to", "Demand up to [pcs]", "units"),
        Column("quantity", "Reorder [pcs]", "integer"),
        Column("lines", "Reorder lines"),
        Column("futures", "Futures"),
        Column("probability", "Probability", "share"),
    ]
    rows: list[list[Cell]] = []
    for rule in plan.reorder_rules:
        for number, step in enumerate(rule.steps, start=1):
            rows.append(
                [
                    rule.product,
                    number,
                    *period_cells(rule.observed_through, dates),
                    None if step.above is None else units(step.above),
                    None if step.up_to is None else units(step.up_to),
                    pieces(step.quantity),
                    _lines_text(plan, step.lines, dates),
                    "; ".join(step.futures),
                    share(step.probability),
                ]
            )
    return Table("reorder_rules", columns, rows)
