"""Plain-text views of a plan for people at a terminal."""

from __future__ import annotations

import math
from collections import defaultdict

from flexsupply.plan import Plan

MAX_ORDER_LINES = 25
"""Orders listed in the summary before it says how many more there are."""
MAX_USEFUL_GAP = 1.0
"""A gap above this (100 %) comes from a bound too loose to say anything; it is not shown."""


def gap_text(gap: float, template: str = "gap {:.2f}%") -> str:
    """Returns the gap in words: ``template`` filled with the gap in percent [%], or what is known.

    Returns:
        ``gap 4.10%`` (with the default template); ``bound not yet useful`` above
        ``MAX_USEFUL_GAP``; ``no bound`` when the gap is unknown (nan).
    """
    if math.isnan(gap):
        return "no bound"
    if gap > MAX_USEFUL_GAP:
        return "bound not yet useful"
    return template.format(gap * 100)


def plan_summary(plan: Plan) -> str:
    """Returns a short readable summary: status, KPIs, and orders by period and supplier."""
    k = plan.kpis
    cur = plan.currency
    lines = [
        f"{plan.scenario_name}: {plan.status} ({plan.backend}/{plan.engine}, {plan.seconds:.1f} s, {gap_text(plan.gap)})",
        f"  expected profit   {k.expected_profit:>14,.0f} {cur}",
        f"  revenue           {k.revenue:>14,.0f} {cur}",
        f"  purchase cost     {k.costs['purchase']:>14,.0f} {cur}",
        f"  fill rate         {k.fill_rate:>14.1%}",
        f"  presale on time   {k.presale_on_time_share:>14.1%}",
        f"  leftover          {k.leftover_units:>14,.0f} units ({k.leftover_value:,.0f} {cur} at salvage)",
    ]
    if k.cash_low_point is not None:
        lines.append(f"  cash low point    {k.cash_low_point:>14,.0f} {cur}")
    if len(plan.scenarios) > 1:
        by_scenario = ", ".join(
            f"{name} {value:,.0f}" for name, value in k.profit_by_scenario.items()
        )
        lines.append(f"  profit by scenario: {by_scenario}")
    shared = [order for order in plan.orders if order.scenario is None]
    reorders = [order for order in plan.orders if order.scenario is not None]
    lines.append(f"\nFirst-stage orders ({len(shared)}), shared by every scenario:")
    lines += _order_lines(shared)
    if reorders:
        per_scenario: dict[str, int] = defaultdict(int)
        for order in reorders:
            per_scenario[order.scenario or ""] += 1
        counts = ", ".join(f"{name} {count}" for name, count in per_scenario.items())
        lines.append(f"\nReorders by demand scenario: {counts}")
        lines += _order_lines(reorders)
    return "\n".join(lines)


def _order_lines(orders: list) -> list[str]:  # type: ignore[type-arg]
    lines = [
        f"  period {o.period:>2} → {o.arrival_period:>2}  {o.supplier:<14} {o.product:<14} "
        f"{o.quantity:>8,.0f} units @ {o.unit_cost:,.2f}"
        + (f"  [{o.scenario}]" if o.scenario else "")
        for o in orders[:MAX_ORDER_LINES]
    ]
    if len(orders) > MAX_ORDER_LINES:
        lines.append(f"  … and {len(orders) - MAX_ORDER_LINES} more (see plan.json)")
    return lines
