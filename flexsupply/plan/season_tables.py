"""Season tables: stock, cash, factory capacity, presale service and KPIs, per period or overall."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from flexsupply.plan.bands import HIGH_QUANTILE, LOW_QUANTILE, cash_summary, weighted_quantile
from flexsupply.plan.tables import (
    Cell,
    Column,
    Table,
    money,
    period_cells,
    period_columns,
    period_word,
    plan_dates,
    share,
    units,
)

if TYPE_CHECKING:
    from flexsupply.plan.plan import Plan


def inventory_table(plan: Plan) -> Table:
    """Returns end-of-period stock per product and period [units].

    Columns: expected stock, its P10 and P90 across demand scenarios (weighted by their
    probabilities), expected spot demand, expected spot sales and expected backlog.
    """
    dates = plan_dates(plan)
    probs = np.asarray(plan.probabilities)
    low = weighted_quantile(plan.inventory, probs, LOW_QUANTILE)
    high = weighted_quantile(plan.inventory, probs, HIGH_QUANTILE)
    expected = {
        name: np.einsum("w,wpt->pt", probs, values)
        for name, values in (
            ("stock", plan.inventory),
            ("demand", plan.demand),
            ("sales", plan.sales),
            ("backlog", plan.backlog),
        )
    }
    columns = [
        Column("product", "Style"),
        *period_columns("period", "period_start", period_word(plan), dates),
        Column("expected_stock", "Expected stock [pcs]", "units"),
        Column("p10_stock", "Stock P10 [pcs]", "units"),
        Column("p90_stock", "Stock P90 [pcs]", "units"),
        Column("expected_demand", "Expected demand [pcs]", "units"),
        Column("expected_sales", "Expected sales [pcs]", "units"),
        Column("expected_backlog", "Expected backlog [pcs]", "units"),
    ]
    rows: list[list[Cell]] = []
    for p, product in enumerate(plan.products):
        for t in range(plan.inventory.shape[2]):
            numbers = [
                expected["stock"][p, t],
                low[p, t],
                high[p, t],
                expected["demand"][p, t],
                expected["sales"][p, t],
                expected["backlog"][p, t],
            ]
            rows.append([product, *period_cells(t + 1, dates), *(units(v) for v in numbers)])
    return Table("inventory", columns, rows)


def cash_table(plan: Plan) -> Table:
    """Returns end-of-period cash per period [currency]: expected, P10, P90 and the low point.

    ``low`` is the lowest balance over the demand futures in that period and ``floor`` the
    lowest the plan may reach (0 when cash must stay non-negative, empty otherwise). Without
    a cash model the table has no rows.
    """
    dates = plan_dates(plan)
    cur = plan.currency
    columns = [
        *period_columns("period", "period_start", period_word(plan), dates),
        Column("expected_cash", f"Expected cash [{cur}]", "money"),
        Column("p10_cash", f"Cash P10 [{cur}]", "money"),
        Column("p90_cash", f"Cash P90 [{cur}]", "money"),
        Column("low_cash", f"Lowest future [{cur}]", "money"),
        Column("floor", f"Floor [{cur}]", "money"),
    ]
    summary = None if plan.cash is None else cash_summary(plan.cash, plan.probabilities)
    rows: list[list[Cell]] = []
    if summary is not None:
        for t in range(len(summary["expected"])):
            rows.append(
                [
                    *period_cells(t + 1, dates),
                    summary["expected"][t],
                    summary["p10"][t],
                    summary["p90"][t],
                    summary["low"][t],
                    None if plan.cash_floor is None else money(plan.cash_floor),
                ]
            )
    return Table("cash", columns, rows)


def capacity_table(plan: Plan) -> Table:
    """Returns expected capacity used and available per supplier and period.

    Both are in the supplier's own ``capacity_unit``; ``available`` and ``share`` are empty
    where capacity is unlimited.
    """
    dates = plan_dates(plan)
    columns = [
        Column("supplier", "Supplier"),
        *period_columns("period", "period_start", period_word(plan), dates),
        Column("used", "Expected use", "capacity"),
        Column("available", "Available", "capacity"),
        Column("share", "Share used", "share"),
        Column("capacity_unit", "Capacity unit"),
    ]
    rows: list[list[Cell]] = []
    for supplier in plan.suppliers:
        unit = plan.capacity_units.get(supplier, "units")
        for t, (used, available) in enumerate(
            zip(plan.capacity_used[supplier], plan.capacity[supplier], strict=True)
        ):
            rows.append(
                [
                    supplier,
                    *period_cells(t + 1, dates),
                    units(used),
                    None if available is None else units(available),
                    None if not available else share(used / available),
                    unit,
                ]
            )
    return Table("capacity", columns, rows)


def kpis_table(plan: Plan) -> Table:
    """Returns one row per KPI: name, value and unit (the currency, ``units`` or ``share``).

    Money KPIs are expected over demand scenarios; a KPI the plan does not have (cash low point
    without a cash model, CVaR without a risk term) has an empty value.
    """
    k = plan.kpis
    cur = plan.currency
    rows: list[list[Cell]] = [
        ["expected_profit", money(k.expected_profit), cur],
        ["revenue", money(k.revenue), cur],
    ]
    rows += [[f"revenue_{kind}", money(value), cur] for kind, value in k.revenue_by_kind.items()]
    rows += [[f"cost_{kind}", money(value), cur] for kind, value in k.costs.items()]
    rows += [
        ["fill_rate", share(k.fill_rate), "share"],
        ["presale_on_time_share", share(k.presale_on_time_share), "share"],
        ["leftover_units", units(k.leftover_units), "units"],
        ["leftover_value", money(k.leftover_value), cur],
        ["cash_low_point", None if k.cash_low_point is None else money(k.cash_low_point), cur],
        ["cvar", None if k.cvar is None else money(k.cvar), cur],
        ["cvar_alpha", k.cvar_alpha, "share"],
        ["optimality_gap", share(plan.gap), "share"],
    ]
    rows += [[f"profit_{name}", money(value), cur] for name, value in k.profit_by_scenario.items()]
    columns = [Column("name", "KPI"), Column("value", "Value", "number"), Column("unit", "Unit")]
    return Table("kpis", columns, rows)


def presale_table(plan: Plan) -> Table:
    """Returns one row per presale order: units to ship, units shipped by the due period, share.

    Units are expected over demand scenarios.
    """
    dates = plan_dates(plan)
    when = period_word(plan).lower()
    columns = [
        Column("product", "Style"),
        *period_columns("period", "period_start", f"Sold {when}", dates),
        *period_columns("due_period", "due_date", f"Due {when}", dates),
        Column("units", "Units to ship [pcs]", "units"),
        Column("shipped_by_due", "Shipped by due [pcs]", "units"),
        Column("on_time_share", "On time", "share"),
    ]
    rows: list[list[Cell]] = [
        [
            service.product,
            *period_cells(service.period, dates),
            *period_cells(service.due_period, dates),
            units(service.units),
            units(sum(service.shipped_by_period[: service.due_period])),
            share(service.on_time_share),
        ]
        for service in plan.presale
    ]
    return Table("presale", columns, rows)
