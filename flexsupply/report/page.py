"""The report page: KPI header, chart sections, orders table, one self-contained HTML text."""

from __future__ import annotations

from dataclasses import dataclass

from flexsupply.plan.files import KpiData, OrderData, PlanData
from flexsupply.report.html import Markup, html, join, script_hash

CHART_IDS = (
    "chart-inventory",
    "chart-orders",
    "chart-capacity",
    "chart-profit",
    "chart-presale",
)
"""The ``id`` of each chart's ``<figure>``, in page order."""


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
document.addEventListener("securitypolicyviolation",function(e){errors.push("blocked by "+
e.violatedDirective+": "+(e.blockedURI||"inline"));});
var log=console.error;console.error=function(){errors.push(Array.prototype.join.call(arguments," "));
return log.apply(console,arguments);};})();
"""
"""First script of the page: records script errors, failed loads, console errors and whatever
the Content-Security-Policy blocked (an injected script shows up here instead of running)."""

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


CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src {script_hash(ERROR_RECORDER)} {script_hash(SELF_CHECK)}; "
    "img-src data:; font-src data:"
)
"""The page may load nothing from anywhere and run only its own two scripts, named by their
hashes: a script that a hostile id or name managed to insert would not run."""


@dataclass(frozen=True)
class ChartSection:
    """One chart: its figure id, heading, caption and SVG elements (none: ``empty`` is shown)."""

    chart_id: str
    title: str
    caption: str
    svgs: list[Markup]
    empty: str = ""


def page_html(plan: PlanData, sections: list[ChartSection], version: str) -> str:
    """Returns the whole report page as HTML text (UTF-8, no external resources).

    Every text from the plan (scenario name, ids, currency, status) is escaped.
    """
    title = f"{plan.scenario} — supply plan"
    parts = [
        Markup("<!DOCTYPE html>"),
        Markup('<html lang="en">'),
        Markup("<head>"),
        Markup('<meta charset="utf-8">'),
        html('<meta http-equiv="Content-Security-Policy" content="{}">', CSP),
        Markup('<meta name="viewport" content="width=device-width, initial-scale=1">'),
        html("<title>{}</title>", title),
        html("<script>{}</script>", Markup(ERROR_RECORDER)),
        html("<style>{}</style>", Markup(STYLE)),
        Markup("</head>"),
        Markup("<body>"),
        html("<header><h1>{}</h1>", title),
        html('<p class="sub">{}</p>', _solver_line(plan)),
        _kpi_cards(plan),
        _money_table(plan.kpis, plan.currency),
        Markup("</header>"),
        Markup("<main>"),
        *(_section_html(section) for section in sections),
        _orders_table(plan),
        Markup("</main>"),
        html(
            "<footer>Made by flexsupply {} from the plan of scenario {}.</footer>",
            version,
            plan.scenario,
        ),
        html("<script>{}</script>", Markup(SELF_CHECK)),
        Markup("</body>"),
        Markup("</html>"),
    ]
    return join(parts, "\n") + "\n"


def _solver_line(plan: PlanData) -> str:
    gap = "unknown" if plan.gap is None else f"{plan.gap:.2%}"
    solver = plan.solver
    horizon = plan.horizon
    unit = "periods" if horizon is None else f"{horizon.period_length}s"
    start = "" if horizon is None or horizon.start_date is None else f" from {horizon.start_date}"
    took = "" if solver.seconds is None else f" in {solver.seconds:,.1f} s"
    return (
        f"Status {plan.status} · gap {gap} · {solver.backend}/{solver.engine}{took} · "
        f"{len(plan.scenario_names)} demand scenarios · "
        f"{len(plan.products)} styles · {plan.n_periods} {unit}{start}"
    )


def _money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{value:,.0f} {currency}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _kpi_cards(plan: PlanData) -> Markup:
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
    return html(
        '<section id="kpis" class="kpis">{}</section>',
        join(
            [
                html(
                    '<div class="kpi{}" data-kpi="{}"><span class="label">{}</span>'
                    '<span class="value">{}</span></div>',
                    " warn" if warn else "",
                    key,
                    label,
                    value,
                )
                for key, label, value, warn in cards
            ]
        ),
    )


def _money_table(kpis: KpiData, currency: str) -> Markup:
    rows = [html("<tr><td>revenue</td><td class=num>{}</td></tr>", _money(kpis.revenue, currency))]
    rows += [
        html(
            "<tr><td>{}</td><td class=num>−{}</td></tr>",
            kind.replace("_", " "),
            _money(value, currency),
        )
        for kind, value in kpis.costs.items()
        if value
    ]
    return html(
        "<details><summary>Revenue and costs (expected)</summary><table>{}</table></details>",
        join(rows),
    )


def _section_html(section: ChartSection) -> Markup:
    body = (
        join(section.svgs, "\n") if section.svgs else html('<p class="empty">{}</p>', section.empty)
    )
    return html(
        '<section><h2>{}</h2><figure class="chart" id="{}">'
        "<figcaption>{}</figcaption>\n{}\n</figure></section>",
        section.title,
        section.chart_id,
        section.caption,
        body,
    )


def _orders_table(plan: PlanData) -> Markup:
    head = html(
        "<tr><th>supplier</th><th>style</th><th class=num>ordered</th><th class=num>arrives</th>"
        "<th class=num>units</th><th class=num>good units</th><th class=num>unit cost</th>"
        "<th class=num>total [{}]</th><th>when</th></tr>",
        plan.currency,
    )
    rows = [_order_row(order) for order in plan.orders]
    if not rows:
        rows = [Markup('<tr><td colspan="9" class="empty">No orders in this plan.</td></tr>')]
    return html(
        '<section><h2>Orders</h2><table id="orders-table">'
        "<thead>{}</thead><tbody>{}</tbody></table></section>",
        head,
        join(rows),
    )


def _order_row(order: OrderData) -> Markup:
    when = "shared" if order.scenario is None else f"reorder if '{order.scenario}'"
    numbers = [
        str(order.period),
        str(order.arrival_period),
        f"{order.quantity:,.0f}",
        f"{order.good_units:,.0f}",
        f"{order.unit_cost:,.2f}",
        f"{order.total_cost:,.0f}",
    ]
    cells = [html("<td>{}</td>", order.supplier), html("<td>{}</td>", order.product)]
    cells += [html("<td class=num>{}</td>", number) for number in numbers]
    return html(
        "<tr{}>{}<td>{}</td></tr>",
        Markup("" if order.scenario is None else ' class="reorder"'),
        join(cells),
        when,
    )
