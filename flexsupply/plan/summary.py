"""Plain-text views of a plan for people at a terminal."""

from __future__ import annotations

import math
from collections import defaultdict

from flexsupply.plan.cancellations import cancellation_lines
from flexsupply.plan.lever_tables import lever_lines
from flexsupply.plan.order_tables import rule_text
from flexsupply.plan.orders import Order, once_per_node
from flexsupply.plan.plan import Plan
from flexsupply.plan.run import STOP_WORDS
from flexsupply.plan.tables import Dates, plan_dates

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
    """Returns a short readable summary: status, KPIs, purchase orders to place, and reorders.

    Weeks (or days) are shown with their first day's date when the scenario has a start date.
    """
    k = plan.kpis
    cur = plan.currency
    dates = plan_dates(plan)
    seconds = plan.run.seconds if plan.run is not None else plan.seconds
    lines = [
        f"{plan.scenario_name}: {plan.status} ({plan.backend}/{plan.engine}, {seconds:.1f} s, "
        f"{gap_text(plan.gap)}); {STOP_WORDS.get(plan.stop, plan.stop)}",
        *_rounding(plan),
        f"  expected profit   {k.expected_profit:>14,.0f} {cur}",
        f"  revenue           {k.revenue:>14,.0f} {cur}",
        f"  purchase cost     {k.costs['purchase']:>14,.0f} {cur}",
        f"  fill rate         {k.fill_rate:>14.1%}",
        f"  presale on time   {k.presale_on_time_share:>14.1%}",
        f"  leftover          {k.leftover_units:>14,.0f} pcs ({k.leftover_value:,.0f} {cur} at salvage)",
    ]
    if plan.materials is not None:
        lines.append(f"  material cost     {k.costs['material_purchase']:>14,.0f} {cur}")
    if k.cash_low_point is not None and plan.cash is not None:
        low_period = int(plan.cash.min(axis=0).argmin()) + 1
        lines.append(
            f"  cash low point    {k.cash_low_point:>14,.0f} {cur} "
            f"in {when(plan, low_period, dates)}"
        )
    financing = plan.financing
    if financing is not None and financing.balance.max(initial=0.0) > 0:
        interest = k.costs["interest"] + k.costs["credit_fee"]
        lines.append(
            f"  credit drawn      {financing.balance.max():>14,.0f} {cur} at most, "
            f"{interest:,.0f} {cur} interest and fees"
        )
    if financing is not None and financing.overflow.max(initial=0.0) > 0:
        lines.append(
            f"  overflow store    {financing.overflow.max():>14,.0f} units at most, "
            f"{k.costs['overflow_storage']:,.0f} {cur}"
        )
    if len(plan.scenarios) > 1:
        by_scenario = ", ".join(
            f"{name} {value:,.0f}" for name, value in k.profit_by_scenario.items()
        )
        lines.append(f"  profit by future: {by_scenario}")
    lines += cancellation_lines(plan)
    lines += lever_lines(plan)
    shared = [order for order in plan.orders if order.scenario is None]
    reorders = once_per_node([order for order in plan.orders if order.scenario is not None])
    lines.append(f"\nPurchase orders to place now ({len(shared)} lines, shared by every future):")
    lines += _purchase_orders(plan, shared, dates)
    lines += reorder_rule_lines(plan)
    if reorders:
        per_scenario: dict[str, int] = defaultdict(int)
        for order in reorders:
            per_scenario[f"node {order.node}" if order.node else order.scenario or ""] += 1
        counts = ", ".join(f"{name} {count}" for name, count in per_scenario.items())
        lines.append(f"\nReorders by demand future: {counts}")
        lines += _order_lines(plan, reorders, dates)
    return "\n".join(lines)


def reorder_rule_lines(plan: Plan) -> list[str]:
    """Returns the reorder rules section: one line per style and what following them gives."""
    if not plan.reorder_rules:
        return []
    lines = ["\nReorder rules for the reveal week (what to do for the demand seen so far):"]
    lines += [f"  {rule_text(plan, rule)}" for rule in plan.reorder_rules[:MAX_ORDER_LINES]]
    if len(plan.reorder_rules) > MAX_ORDER_LINES:
        lines.append(
            f"  … and {len(plan.reorder_rules) - MAX_ORDER_LINES} more (see reorder_rules.csv)"
        )
    if plan.rules_profit is None:
        lines.append(
            "  following the rules is not feasible in every future: use the reorders below"
        )
    else:
        given_up = plan.kpis.expected_profit - plan.rules_profit
        given_up = max(given_up, 0.0) if given_up > -0.5 else given_up
        lines.append(
            f"  following them: expected profit {plan.rules_profit:,.0f} {plan.currency}, "
            f"{given_up:,.0f} less than the reorders per future below, on the same futures"
        )
    return lines


def _rounding(plan: Plan) -> list[str]:
    """Returns lines saying what ordering whole pieces cost, and which orders are not whole."""
    lines = []
    fractional = plan.extra.get("fractional_objective")
    if fractional is not None and abs(fractional - plan.objective) >= 0.5:
        lines.append(
            f"  orders rounded to whole pieces: {abs(fractional - plan.objective):,.0f} "
            f"{plan.currency} from the engine's fractional plan; the bound is the engine's"
        )
    left = plan.extra.get("fractional_orders", 0)
    if left:
        lines.append(
            f"  {left:,} orders are still fractional quantities (the solver message says why): "
            "round them before sending"
        )
    return lines


def when(plan: Plan, period: int, dates: Dates) -> str:
    """Returns a period in words with its first day, e.g. ``week 3 (17 Mar)``."""
    word = "week" if plan.period_length == "week" else "day"
    if dates is None:
        return f"{word} {period}"
    return f"{word} {period} ({dates(period):%d %b})"


def _purchase_orders(plan: Plan, orders: list[Order], dates: Dates) -> list[str]:
    """Returns the first batch per supplier: its lines, then the supplier's totals."""
    cur = plan.currency
    lines: list[str] = []
    for supplier in plan.suppliers:
        mine = [order for order in orders if order.supplier == supplier]
        if not mine:
            continue
        goods = sum(order.quantity * order.unit_cost for order in mine)
        setup = sum(order.setup_cost for order in mine)
        pieces = sum(order.quantity for order in mine)
        lines.append(
            f"  {supplier}: {pieces:,.0f} pcs, {goods + setup:,.0f} {cur} "
            f"(goods {goods:,.0f} + setup {setup:,.0f})"
        )
        lines += _order_lines(plan, mine, dates, indent="    ")
    if orders:
        total = sum(order.total_cost for order in orders)
        lines.append(f"  total: {total:,.0f} {cur}")
    return lines


def _order_lines(plan: Plan, orders: list[Order], dates: Dates, indent: str = "  ") -> list[str]:
    lines = [
        f"{indent}{when(plan, o.period, dates)} → {when(plan, o.arrival_period, dates)}  "
        f"{o.supplier:<8} {o.product:<10} {o.quantity:>7,.0f} pcs × {o.unit_cost:,.2f} {plan.currency}"
        + (f" + setup {o.setup_cost:,.0f}" if o.setup_cost else "")
        + (f"  [node {o.node}]" if o.node else f"  [{o.scenario}]" if o.scenario else "")
        for o in orders[:MAX_ORDER_LINES]
    ]
    if len(orders) > MAX_ORDER_LINES:
        lines.append(f"{indent}… and {len(orders) - MAX_ORDER_LINES} more (see orders.csv)")
    return lines
