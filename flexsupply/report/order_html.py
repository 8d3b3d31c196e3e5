"""The report's order tables: purchase orders to place now (per supplier, with totals) and all orders.

Each table sits in its own ``div.scroll`` box, so on a phone it scrolls sideways inside the box
instead of widening the page. Periods are shown with their first day when the plan has dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import escape

from flexsupply.plan.files import OrderData, PlanData
from flexsupply.plan.orders import once_per_node
from flexsupply.plan.rules import step_range


def period_label(plan: PlanData) -> Callable[[int | None], str]:
    """Returns a function writing a 1-based period as ``3 · 17 Mar`` (or ``3`` without dates)."""
    horizon = plan.horizon
    if horizon is None or horizon.start_date is None:
        return lambda period: "" if period is None else str(period)
    start = horizon.start_date
    step = timedelta(days=7 if horizon.period_length == "week" else 1)

    def label(period: int | None) -> str:
        if period is None:
            return ""
        return f"{period} · {start + (period - 1) * step:%d %b}"

    return label


def purchase_orders_html(plan: PlanData) -> str:
    """Returns the section of first-batch purchase orders: lines per supplier, then totals."""
    cur = escape(plan.currency)
    when = period_label(plan)
    first = [order for order in plan.orders if order.scenario is None]
    head = (
        "<tr><th>style</th><th class=num>order</th><th class=num>arrives</th>"
        "<th class=num>pieces</th>"
        f"<th class=num>unit cost [{cur}]</th><th class=num>goods [{cur}]</th>"
        f"<th class=num>setup [{cur}]</th><th class=num>total [{cur}]</th>"
        f"<th class=num>paid at order [{cur}]</th><th class=num>balance [{cur}]</th>"
        "<th class=num>balance due</th></tr>"
    )
    blocks: list[str] = []
    suppliers = sorted({order.supplier for order in first}, key=_supplier_order(plan))
    for supplier in suppliers:
        lines = [order for order in first if order.supplier == supplier]
        rows = [_line(order, when) for order in lines]
        rows.append(_total("supplier total", lines))
        blocks.append(
            f'<h3>{escape(supplier)}</h3><div class="scroll"><table class="po" '
            f'data-supplier="{escape(supplier)}"><thead>{head}</thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    if not first:
        blocks = ['<p class="empty">Nothing to order before the reveal period.</p>']
    else:
        total = sum(order.total_cost for order in first)
        blocks.append(
            f'<p class="po-total">All suppliers: {sum(o.quantity for o in first):,.0f} pieces, '
            f"{total:,.0f} {cur}.</p>"
        )
    return (
        '<section id="purchase-orders"><h2>Purchase orders to place now</h2>'
        '<p class="sub">The first batch, shared by every demand future; payments follow each '
        "supplier's terms.</p>" + "".join(blocks) + "</section>"
    )


def _supplier_order(plan: PlanData) -> Callable[[str], tuple[int, str]]:
    known = list(plan.capacity)
    return lambda name: (known.index(name) if name in known else len(known), name)


def _line(order: OrderData, when: Callable[[int | None], str]) -> str:
    goods = order.quantity * order.unit_cost
    cells = [
        f"<td>{escape(order.product)}</td>",
        *(
            f"<td class=num>{value}</td>"
            for value in (
                escape(when(order.period)),
                escape(when(order.arrival_period)),
                f"{order.quantity:,.0f}",
                f"{order.unit_cost:,.2f}",
                f"{goods:,.0f}",
                f"{order.setup_cost:,.0f}",
                f"{order.total_cost:,.0f}",
                _amount(order.upfront_payment),
                _amount(order.balance_payment),
                escape(when(order.balance_period)),
            )
        ),
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _total(label: str, lines: list[OrderData]) -> str:
    goods = sum(order.quantity * order.unit_cost for order in lines)
    upfront = [order.upfront_payment for order in lines]
    balance = [order.balance_payment for order in lines]
    numbers = [
        "",
        "",
        f"{sum(order.quantity for order in lines):,.0f}",
        "",
        f"{goods:,.0f}",
        f"{sum(order.setup_cost for order in lines):,.0f}",
        f"{sum(order.total_cost for order in lines):,.0f}",
        "" if None in upfront else f"{sum(v or 0.0 for v in upfront):,.0f}",
        "" if None in balance else f"{sum(v or 0.0 for v in balance):,.0f}",
        "",
    ]
    cells = "".join(f"<td class=num>{value}</td>" for value in numbers)
    return f'<tr class="total"><td>{escape(label)}</td>{cells}</tr>'


def _amount(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def orders_html(plan: PlanData) -> str:
    """Returns the section listing every order, first batch and reorders by demand future."""
    when = period_label(plan)
    head = (
        "<tr><th>supplier</th><th>style</th><th class=num>ordered</th><th class=num>arrives</th>"
        "<th class=num>pieces</th><th class=num>good pieces</th>"
        f"<th class=num>unit cost [{escape(plan.currency)}]</th>"
        f"<th class=num>total [{escape(plan.currency)}]</th><th>when</th></tr>"
    )
    rows = [_order_row(order, when) for order in once_per_node(plan.orders)]
    if not rows:
        rows = ['<tr><td colspan="9" class="empty">No orders in this plan.</td></tr>']
    return (
        '<section><h2>Orders</h2><div class="scroll"><table id="orders-table">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _order_row(order: OrderData, when: Callable[[int | None], str]) -> str:
    stage = "shared" if order.scenario is None else f"reorder if '{order.scenario}'"
    if order.node is not None:
        stage = f"reorder in tree node '{order.node}'"
    css = "" if order.scenario is None else ' class="reorder"'
    text = [escape(order.supplier), escape(order.product)]
    numbers = [
        escape(when(order.period)),
        escape(when(order.arrival_period)),
        f"{order.quantity:,.0f}",
        f"{order.good_units:,.0f}",
        f"{order.unit_cost:,.2f}",
        f"{order.total_cost:,.0f}",
    ]
    cells = [f"<td>{c}</td>" for c in text] + [f"<td class=num>{c}</td>" for c in numbers]
    return f"<tr{css}>{''.join(cells)}<td>{escape(stage)}</td></tr>"


def rules_html(plan: PlanData) -> str:
    """Returns the reorder-rules section: per style, the reorder for the demand seen by the reveal.

    Empty text when the plan has no rules (no reorders, or one demand future).
    """
    if plan.reorder_rules is None or not plan.reorder_rules.rules:
        return ""
    when = period_label(plan)
    cur = escape(plan.currency)
    rows = []
    for rule in plan.reorder_rules.rules:
        for number, step in enumerate(rule.steps):
            lines = ", ".join(
                f"{line.quantity:,.0f} pcs from {escape(line.supplier)} in {escape(when(line.period))}"
                for line in step.lines
            )
            head = (
                f'<td rowspan="{len(rule.steps)}">{escape(rule.product)}</td>'
                f'<td rowspan="{len(rule.steps)}" class=num>{escape(when(rule.observed_through))}</td>'
                if number == 0
                else ""
            )
            rows.append(
                f"<tr>{head}<td class=num>{escape(step_range(step.above, step.up_to))}</td>"
                f"<td class=num>{step.quantity:,.0f}</td><td>{lines or 'no reorder'}</td>"
                f"<td>{escape(', '.join(step.futures))}</td></tr>"
            )
    profit = plan.reorder_rules.expected_profit_following_rules
    expected = plan.kpis.expected_profit
    if profit is None:
        verdict = (
            "Following the rules is not feasible in every future: use the reorders per future."
        )
    elif expected is None:
        verdict = f"Following the rules: expected profit {profit:,.0f} {cur}."
    else:
        verdict = (
            f"Following the rules: expected profit {profit:,.0f} {cur}, "
            f"{_given_up(expected, profit):,.0f} "
            f"{cur} less than the reorders per future, on the same futures."
        )
    head = (
        "<tr><th>style</th><th class=num>demand seen to</th><th class=num>demand [pcs]</th>"
        "<th class=num>reorder [pcs]</th><th>lines</th><th>futures</th></tr>"
    )
    return (
        '<section id="reorder-rules"><h2>Reorder rules for the reveal week</h2>'
        '<p class="sub">What to reorder for the demand each style has seen by the reveal.</p>'
        f'<div class="scroll"><table id="rules-table"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div><p>{verdict}</p></section>"
    )


def _given_up(expected: float, following: float) -> float:
    """Returns what following the rules gives up [currency], never a negative zero."""
    return max(expected - following, 0.0) if expected - following > -0.5 else expected - following
