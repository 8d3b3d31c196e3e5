"""The report's section on committed orders the plan may cancel: what it cancels and keeps."""

from __future__ import annotations

from html import escape

from flexsupply.plan.files import PlanData
from flexsupply.report.order_html import period_label


def cancellations_html(plan: PlanData) -> str:
    """Returns the section of cancellable committed orders ("" when the plan has none)."""
    if not plan.cancellations:
        return ""
    when = period_label(plan)
    cur = escape(plan.currency)
    head = (
        "<tr><th>supplier</th><th>style</th><th class=num>arrives</th>"
        "<th class=num>committed pieces</th><th class=num>cancelled</th><th class=num>kept</th>"
        f"<th class=num>charge [{cur}]</th><th class=num>not paid [{cur}]</th></tr>"
    )
    rows = []
    for item in plan.cancellations:
        css = ' class="cancelled"' if item.cancelled > 0 else ""
        cells = [escape(item.supplier), escape(item.product)]
        numbers = [
            escape(when(item.arrival_period)),
            f"{item.units:,.0f}",
            f"{item.cancelled:,.0f}",
            f"{item.units - item.cancelled:,.0f}",
            f"{item.charge:,.0f}",
            f"{item.saved:,.0f}",
        ]
        row = [f"<td>{c}</td>" for c in cells] + [f"<td class=num>{c}</td>" for c in numbers]
        rows.append(f"<tr{css}>{''.join(row)}</tr>")
    done = sum(item.cancelled > 0 for item in plan.cancellations)
    return (
        '<section id="cancellations"><h2>Committed orders: cancel or keep</h2>'
        f"<p>{done} of {len(plan.cancellations)} committed orders that their suppliers let "
        "cancel are cancelled or reduced; the charge is the supplier's share of the cancelled "
        "value plus its fee.</p>"
        f'<div class="scroll"><table id="cancellations-table"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


__all__ = ["cancellations_html"]
