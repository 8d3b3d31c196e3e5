"""The report's panel of demand levers: campaigns bought and the markdown calendar."""

from __future__ import annotations

from html import escape

from flexsupply.plan.files import PlanData


def levers_html(plan: PlanData) -> str:
    """Returns the levers section: a campaigns table, the markdown calendar and clearance.

    The calendar is an HTML table (style × period), with the same calendar as Markdown text to
    copy. Money in the plan's currency, expected over the demand scenarios.

    Returns:
        The section's HTML, or an empty string for a plan without levers.
    """
    levers = plan.levers
    if levers is None:
        return ""
    cur = escape(plan.currency)
    probs = [s.probability for s in plan.demand_scenarios]
    head = "".join(
        f"<th{' class=num' if i > 2 else ''}>{escape(text)}</th>"
        for i, text in enumerate(
            [
                "campaign",
                "kind",
                "decided",
                "period",
                "bought",
                f"fees and clicks [{cur}]",
                f"commission [{cur}]",
                "sales [pcs]",
                f"revenue [{cur}]",
                "revenue per 1 spent",
            ]
        )
    )
    rows = []
    for c in levers.campaigns:
        bought = sum(p * b for p, b in zip(probs, c.bought, strict=True))
        cells = [
            escape(c.name),
            escape(c.kind),
            "before the reveal" if c.shared else "per demand future",
        ]
        numbers = [
            str(c.period),
            f"{bought:,.4g}",
            f"{c.cost:,.0f}",
            f"{c.commission:,.0f}",
            f"{c.sales:,.0f}",
            f"{c.revenue:,.0f}",
            "—" if c.roas is None else f"{c.roas:,.2f}",
        ]
        rows.append(
            "<tr>"
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + "".join(f"<td class=num>{cell}</td>" for cell in numbers)
            + "</tr>"
        )
    budget = (
        ""
        if levers.marketing_budget is None
        else f"<p>Marketing budget: {levers.marketing_budget:,.0f} {cur}.</p>"
    )
    parts = [
        '<section id="levers"><h2>Demand levers</h2>',
        budget,
        f'<table id="campaigns-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "",
        _calendar(plan),
        *(
            f"<p>Clearance of {escape(str(sale['product']))} in period {sale['period']}: "
            f"{float(sale['units']):,.0f} pcs at {float(sale['price']):,.2f} {cur} "
            "(expected).</p>"
            for sale in levers.clearance
        ),
        "</section>",
    ]
    return "".join(parts)


def _calendar(plan: PlanData) -> str:
    """Returns the markdown calendar as an HTML table and as Markdown text to copy."""
    assert plan.levers is not None
    calendar = plan.levers.markdown_calendar
    if not calendar:
        return ""
    periods = len(next(iter(calendar.values())))
    head = "<th>style</th>" + "".join(f"<th>{t}</th>" for t in range(1, periods + 1))
    body = "".join(
        f"<tr><td>{escape(style)}</td>"
        + "".join(f"<td>{escape(label)}</td>" for label in labels)
        + "</tr>"
        for style, labels in calendar.items()
    )
    markdown = "\n".join(
        [
            "| style | " + " | ".join(str(t) for t in range(1, periods + 1)) + " |",
            "|" + "|".join("---" for _ in range(periods + 1)) + "|",
            *(f"| {style} | " + " | ".join(labels) + " |" for style, labels in calendar.items()),
        ]
    )
    return (
        "<h3>Markdown calendar (price by period)</h3>"
        f'<table id="markdown-calendar"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"</table><details><summary>As Markdown</summary><pre>{escape(markdown)}</pre></details>"
    )
