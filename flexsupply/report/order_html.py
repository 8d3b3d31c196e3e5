"""The report's order tables: purchase orders to place now (per supplier, with totals) and all orders.

Each table sits in its own ``div.scroll`` box, so on a phone it scrolls sideways inside the box
instead of widening the page. Periods are shown with their first day when the plan has dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import escape

from flexsupply.report.plan_data import OrderData, PlanData


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
    rows = [_order_row(order, when) for order in plan.orders]
    if not rows:
        rows = ['<tr><td colspan="9" class="empty">No orders in this plan.</td></tr>']
    return (
        '<section><h2>Orders</h2><div class="scroll"><table id="orders-table">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _order_row(order: OrderData, when: Callable[[int | None], str]) -> str:
    stage = "shared" if order.scenario is None else f"reorder if '{order.scenario}'"
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
