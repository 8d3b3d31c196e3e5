"""The report page: KPI header, chart sections, orders table, one self-contained HTML text."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from flexsupply.report.plan_data import KpiData, OrderData, PlanData

CHART_IDS = (
    "chart-inventory",
    "chart-orders",
    "chart-capacity",
    "chart-profit",
    "chart-presale",
)
"""The ``id`` of each chart's ``<figure>``, in page order."""

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)
"""The page may load nothing from anywhere: everything it shows is inline."""

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
margin:0 auto;max-width:1120px;padding:16px 20px 40px;color:#222;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:2rem 0 .3rem}
.sub{color:#555;margin:0 0 1rem}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:8px}
.kpi{border:1px solid #ddd;border-radius:6px;padding:8px 10px}
.kpi .label{display:block;font-size:.78rem;color:#666}
.kpi .value{display:block;font-size:1.2rem;font-weight:600;margin-top:2px}
.kpi.warn .value{color:#b3261e}
figure.chart{margin:0}figure.chart svg{display:block;max-width:100%;height:auto}
figcaption{color:#555;font-size:.85rem;margin:.2rem 0 .5rem}
.empty{color:#777;font-style:italic}
table{border-collapse:collapse;font-size:.82rem;margin-top:.4rem}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.reorder td{color:#555}
details{margin-top:.8rem}footer{margin-top:2rem;color:#888;font-size:.8rem}
@media print{h2{break-after:avoid}figure.chart{break-inside:avoid}}
"""

ERROR_RECORDER = """
(function(){var errors=[];window.__reportErrors=errors;
window.addEventListener("error",function(e){errors.push(String(e.message||
(e.target&&e.target.tagName)||"error"));},true);
var log=console.error;console.error=function(){errors.push(Array.prototype.join.call(arguments," "));
return log.apply(console,arguments);};})();
"""
"""First script of the page: records script errors, failed loads and console errors."""

SELF_CHECK = """
window.addEventListener("load",function(){var charts={};
document.querySelectorAll("figure.chart").forEach(function(f){var w=0,h=0,n=0;
var svgs=f.querySelectorAll("svg");svgs.forEach(function(s){var r=s.getBoundingClientRect();
w=Math.max(w,r.width);h+=r.height;n+=s.querySelectorAll("path,use,text").length;});
charts[f.id]={svgs:svgs.length,width:Math.round(w),height:Math.round(h),marks:n};});
document.body.setAttribute("data-check",JSON.stringify({errors:window.__reportErrors||[],
charts:charts}));});
"""
"""Last script: once loaded, writes the errors and each chart's drawn size into ``data-check``
on ``<body>`` (read by the browser test; the page works the same without scripts)."""


@dataclass(frozen=True)
class ChartSection:
    """One chart: its figure id, heading, caption and SVG elements (none: ``empty`` is shown)."""

    chart_id: str
    title: str
    caption: str
    svgs: list[str]
    empty: str = ""


def page_html(plan: PlanData, sections: list[ChartSection], version: str) -> str:
    """Returns the whole report page as HTML text (UTF-8, no external resources)."""
    title = f"{plan.scenario} — supply plan"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<script>{ERROR_RECORDER}</script>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(_solver_line(plan))}</p>',
        _kpi_cards(plan),
        _money_table(plan.kpis, plan.currency),
        "</header>",
        "<main>",
        *(_section_html(section) for section in sections),
        _orders_table(plan),
        "</main>",
        f"<footer>Made by flexsupply {escape(version)} from the plan of scenario "
        f"{escape(plan.scenario)}.</footer>",
        f"<script>{SELF_CHECK}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _solver_line(plan: PlanData) -> str:
    gap = "unknown" if plan.gap is None else f"{plan.gap:.2%}"
    solver = plan.solver
    horizon = plan.horizon
    unit = "periods" if horizon is None else f"{horizon.period_length}s"
    start = "" if horizon is None or horizon.start_date is None else f" from {horizon.start_date}"
    return (
        f"Status {plan.status} · gap {gap} · {solver.backend}/{solver.engine} in "
        f"{solver.seconds:,.1f} s · {len(plan.scenario_names)} demand scenarios · "
        f"{len(plan.products)} styles · {plan.n_periods} {unit}{start}"
    )


def _money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{value:,.0f} {currency}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _kpi_cards(plan: PlanData) -> str:
    k, cur = plan.kpis, plan.currency
    leftover = "—" if k.leftover_units is None else f"{k.leftover_units:,.0f} units"
    if k.leftover_value is not None:
        leftover += f" ({k.leftover_value:,.0f} {cur})"
    gap = "unknown" if plan.gap is None else f"{plan.gap:.2%}"
    cards = [
        ("expected_profit", "Expected profit", _money(k.expected_profit, cur), False),
        ("fill_rate", "Fill rate (spot demand)", _share(k.fill_rate), False),
        (
            "presale_on_time",
            "Presale on time",
            _share(k.presale_on_time_share),
            (k.presale_on_time_share or 0) < 0.999,
        ),
        ("leftover", "Leftover at season end", leftover, False),
        (
            "cash_low_point",
            "Cash low point",
            "not modelled" if k.cash_low_point is None else _money(k.cash_low_point, cur),
            k.cash_low_point is not None and k.cash_low_point < 0,
        ),
        (
            "solver_status",
            "Solver status / gap",
            f"{plan.status} / {gap}",
            plan.status != "optimal",
        ),
    ]
    if k.cvar is not None:
        alpha = "" if k.cvar_alpha is None else f" at {k.cvar_alpha:.0%}"
        cards.append(("cvar", f"CVaR of loss{alpha}", _money(k.cvar, cur), False))
    html = [
        f'<div class="kpi{" warn" if warn else ""}" data-kpi="{key}"><span class="label">'
        f'{escape(label)}</span><span class="value">{escape(value)}</span></div>'
        for key, label, value, warn in cards
    ]
    return '<section id="kpis" class="kpis">' + "".join(html) + "</section>"


def _money_table(kpis: KpiData, currency: str) -> str:
    rows = [f"<tr><td>revenue</td><td class=num>{_money(kpis.revenue, currency)}</td></tr>"]
    rows += [
        f"<tr><td>{escape(kind.replace('_', ' '))}</td>"
        f"<td class=num>−{_money(value, currency)}</td></tr>"
        for kind, value in kpis.costs.items()
        if value
    ]
    return (
        "<details><summary>Revenue and costs (expected)</summary><table>"
        + "".join(rows)
        + "</table></details>"
    )


def _section_html(section: ChartSection) -> str:
    body = (
        "\n".join(section.svgs) if section.svgs else f'<p class="empty">{escape(section.empty)}</p>'
    )
    return (
        f'<section><h2>{escape(section.title)}</h2><figure class="chart" id="{section.chart_id}">'
        f"<figcaption>{escape(section.caption)}</figcaption>\n{body}\n</figure></section>"
    )


def _orders_table(plan: PlanData) -> str:
    head = (
        "<tr><th>supplier</th><th>style</th><th class=num>ordered</th><th class=num>arrives</th>"
        "<th class=num>units</th><th class=num>good units</th><th class=num>unit cost</th>"
        f"<th class=num>total [{escape(plan.currency)}]</th><th>when</th></tr>"
    )
    rows = [_order_row(order) for order in plan.orders]
    if not rows:
        rows = ['<tr><td colspan="9" class="empty">No orders in this plan.</td></tr>']
    return (
        '<section><h2>Orders</h2><table id="orders-table">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _order_row(order: OrderData) -> str:
    when = "shared" if order.scenario is None else f"reorder if '{order.scenario}'"
    css = "" if order.scenario is None else ' class="reorder"'
    text = [escape(order.supplier), escape(order.product)]
    numbers = [
        str(order.period),
        str(order.arrival_period),
        f"{order.quantity:,.0f}",
        f"{order.good_units:,.0f}",
        f"{order.unit_cost:,.2f}",
        f"{order.total_cost:,.0f}",
    ]
    cells = [f"<td>{c}</td>" for c in text] + [f"<td class=num>{c}</td>" for c in numbers]
    return f"<tr{css}>{''.join(cells)}<td>{escape(when)}</td></tr>"
