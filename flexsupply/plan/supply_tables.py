"""Tables of a plan's supply levers: material orders, material use and stock, and financing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from flexsupply.plan.tables import (
    PRICE_DIGITS,
    Cell,
    Column,
    Table,
    money,
    period_cells,
    period_columns,
    period_word,
    plan_dates,
    rounded,
    units,
)

if TYPE_CHECKING:
    from flexsupply.plan.plan import Plan


def material_orders_table(plan: Plan) -> Table:
    """Returns one row per material order [material units; money in the plan's currency]."""
    dates = plan_dates(plan)
    cur = plan.currency
    when = period_word(plan).lower()
    columns = [
        Column("material", "Material"),
        Column("supplier", "Supplier"),
        Column("stage", "Stage"),
        Column("scenario", "Future"),
        *period_columns("period", "period_start", f"Order {when}", dates),
        *period_columns("arrival_period", "arrival_date", f"Arrival {when}", dates),
        Column("quantity", "Quantity [material unit]", "units"),
        Column("unit_cost", f"Unit cost [{cur}/unit]", "price"),
        Column("total_cost", f"Total [{cur}]", "money"),
    ]
    rows: list[list[Cell]] = [
        [
            order.material,
            order.supplier,
            "first" if order.scenario is None else "reorder",
            order.scenario or "",
            *period_cells(order.period, dates),
            *period_cells(order.arrival_period, dates),
            units(order.quantity),
            rounded(order.unit_cost, PRICE_DIGITS),
            money(order.total_cost),
        ]
        for order in plan.material_orders
    ]
    return Table("material_orders", columns, rows)


def materials_table(plan: Plan) -> Table:
    """Returns material ordered, used per style and in stock per material and period.

    Expected over demand scenarios, in each material's unit; ``used`` is the total of the
    ``used_<style>`` columns (a style's column is empty when it does not use the material).
    """
    dates = plan_dates(plan)
    uses = plan.materials or []
    styles = sorted({style for use in uses for style in use.used})
    columns = [
        Column("material", "Material"),
        Column("unit", "Unit"),
        *period_columns("period", "period_start", period_word(plan), dates),
        Column("ordered", "Ordered", "units"),
        Column("used", "Used", "units"),
        *(Column(f"used_{style}", f"Used by {style}", "units") for style in styles),
        Column("stock", "Stock", "units"),
    ]
    probs = np.asarray(plan.probabilities)
    rows: list[list[Cell]] = []
    for use in uses:
        used = {style: probs @ values for style, values in use.used.items()}
        total = np.sum(list(used.values()), axis=0)
        ordered, stock = probs @ use.ordered, probs @ use.stock
        for t in range(len(ordered)):
            by_style: list[Cell] = [
                units(used[style][t]) if style in used else None for style in styles
            ]
            rows.append(
                [
                    use.material,
                    use.unit,
                    *period_cells(t + 1, dates),
                    units(ordered[t]),
                    units(total[t]),
                    *by_style,
                    units(stock[t]),
                ]
            )
    return Table("materials", columns, rows)


def financing_table(plan: Plan) -> Table:
    """Returns the credit line, interest and overflow storage per period.

    Expected over demand scenarios [money in the plan's currency; overflow in units].
    """
    dates = plan_dates(plan)
    cur = plan.currency
    financing = plan.financing
    columns = [
        *period_columns("period", "period_start", period_word(plan), dates),
        Column("credit_balance", f"Credit balance [{cur}]", "money"),
        Column("draws", f"Draws [{cur}]", "money"),
        Column("repayments", f"Repayments [{cur}]", "money"),
        Column("interest", f"Interest [{cur}]", "money"),
        Column("overflow_units", "Overflow storage [pcs]", "units"),
    ]
    rows: list[list[Cell]] = []
    if financing is not None:
        probs = np.asarray(plan.probabilities)
        values = [
            probs @ series
            for series in (
                financing.balance,
                financing.draws,
                financing.repayments,
                financing.interest,
            )
        ]
        overflow = probs @ financing.overflow
        for t in range(len(overflow)):
            amounts = [money(series[t]) for series in values]
            rows.append([*period_cells(t + 1, dates), *amounts, units(overflow[t])])
    return Table("financing", columns, rows)
