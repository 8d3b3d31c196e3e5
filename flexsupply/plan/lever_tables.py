"""The levers of a plan as tables, summary lines and a Markdown calendar.

``campaigns`` (one row per campaign on offer: what is bought, its cost, sales and return) and
``markdown`` (one row per marked-down style, one column per period: the price chosen) are
written as CSV files and workbook sheets; ``markdown_calendar`` renders the same calendar as a
Markdown table for the terminal summary and the HTML report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from flexsupply.plan.tables import Cell, Column, Table, money, period_word, share, units

if TYPE_CHECKING:
    from flexsupply.plan.plan import Plan

MAX_CAMPAIGN_LINES = 20
"""Campaigns listed in the summary before it says how many more there are."""


def campaigns_table(plan: Plan) -> Table:
    """Returns one row per campaign on offer: purchase, cost, commission, sales and return.

    Purchases are expected over the demand scenarios (a slot bought in half of them is 0.5)
    [slots, posts or clicks]; money in the plan's currency; sales in units; the return on
    spend is revenue / (cost + commission).
    """
    cur = plan.currency
    columns = [
        Column("campaign", "Campaign"),
        Column("kind", "Kind"),
        Column("period", f"{period_word(plan)}", "integer"),
        Column("decided", "Decided"),
        Column("bought", "Bought (expected) [slots, posts, clicks]", "units"),
        Column("cost", f"Fees and clicks [{cur}]", "money"),
        Column("commission", f"Commission [{cur}]", "money"),
        Column("demand_units", "Demand brought [pcs]", "units"),
        Column("sales_units", "Sales [pcs]", "units"),
        Column("revenue", f"Revenue [{cur}]", "money"),
        Column("return_on_spend", "Revenue per 1 spent", "number"),
    ]
    rows: list[list[Cell]] = []
    probs = np.asarray(plan.probabilities)
    for c in plan.levers.campaigns if plan.levers is not None else []:
        rows.append(
            [
                c.name,
                c.kind,
                c.period,
                "before the reveal" if c.shared else "per demand future",
                units(float(probs @ np.asarray(c.bought))),
                money(c.cost),
                money(c.commission),
                units(c.demand),
                units(c.sales),
                money(c.revenue),
                None if c.roas is None else share(c.roas),
            ]
        )
    return Table("campaigns", columns, rows)


def markdown_table(plan: Plan) -> Table:
    """Returns the markdown calendar: one row per style, the price chosen in each period.

    A cell is ``full``, a discount (``−20 %``), or the most likely one with its probability
    when the choice differs by demand future (``−20 % (60 %)``).
    """
    periods = plan.inventory.shape[2]
    word = period_word(plan).lower()
    columns = [
        Column("product", "Style"),
        *[Column(f"{word}_{t}", f"{period_word(plan)} {t}") for t in range(1, periods + 1)],
    ]
    calendar = {} if plan.levers is None else plan.levers.calendar(plan.probabilities, periods)
    rows: list[list[Cell]] = [[style, *labels] for style, labels in calendar.items()]
    return Table("markdown", columns, rows)


def markdown_calendar(plan: Plan) -> str:
    """Returns the markdown calendar as a Markdown table (style × period), or "" without one."""
    table = markdown_table(plan)
    if not table.rows:
        return ""
    header = [column.title for column in table.columns]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in table.rows]
    return "\n".join(lines)


def lever_lines(plan: Plan) -> list[str]:
    """Returns the summary section of the levers: campaigns, markdown calendar and clearance."""
    levers = plan.levers
    if levers is None:
        return []
    cur = plan.currency
    costs = plan.kpis.costs
    lines = ["\nDemand levers:"]
    spent = costs.get("marketing", 0.0)
    budget = (
        "" if levers.marketing_budget is None else f" of a {levers.marketing_budget:,.0f} budget"
    )
    if levers.campaigns:
        lines.append(
            f"  marketing {spent:,.0f} {cur}{budget}, commission "
            f"{costs.get('commission', 0.0):,.0f} {cur} (expected)"
        )
    probs = np.asarray(plan.probabilities)
    word = period_word(plan).lower()
    for c in levers.campaigns[:MAX_CAMPAIGN_LINES]:
        bought = float(probs @ np.asarray(c.bought))
        if bought <= 1e-9:
            lines.append(f"  {c.name:<14} {c.kind:<12} {word} {c.period}: not bought")
            continue
        roas = "" if c.roas is None else f", {c.roas:,.2f} {cur} revenue per {cur} spent"
        lines.append(
            f"  {c.name:<14} {c.kind:<12} {word} {c.period}: bought {bought:,.4g}"
            f"{'' if c.shared else ' (expected over the futures)'}, "
            f"cost {c.cost + c.commission:,.0f} {cur}, sells {c.sales:,.0f} pcs{roas}"
        )
    if len(levers.campaigns) > MAX_CAMPAIGN_LINES:
        more = len(levers.campaigns) - MAX_CAMPAIGN_LINES
        lines.append(f"  … and {more} more (see campaigns.csv)")
    calendar = markdown_calendar(plan)
    if calendar:
        lines.append(
            f"  markdown calendar (discount {costs.get('markdown', 0.0):,.0f} {cur} expected):"
        )
        lines += ["  " + line for line in calendar.splitlines()]
    for sale in levers.clearance:
        lines.append(
            f"  clearance {sale['product']} {word} {sale['period']}: "
            f"{sale['units']:,.0f} pcs at {sale['price']:,.2f} {cur} (expected)"
        )
    added = float(probs @ levers.added_demand.sum(axis=(1, 2)))
    lines.append(f"  demand added by the levers: {added:,.0f} pcs (expected)")
    return lines
