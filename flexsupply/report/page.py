"""The report page: KPI header, chart sections, orders and materials tables, one HTML text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from flexsupply.plan.files import KpiData, PlanData
from flexsupply.report.cancel_html import cancellations_html
from flexsupply.report.html import script_hash
from flexsupply.report.levers_html import levers_html
from flexsupply.report.order_html import orders_html, purchase_orders_html, rules_html

CHART_IDS = (
    "chart-inventory",
    "chart-cash",
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
.scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.notice{background:#fdecea;color:#8c1d18;border-radius:6px;padding:6px 10px;font-weight:600}
h3{font-size:1rem;margin:1rem 0 .2rem}tr.total td{font-weight:600;border-top:1px solid #bbb}
.po-total{font-weight:600}
figcaption{color:#555;font-size:.85rem;margin:.2rem 0 .5rem}
.empty{color:#777;font-style:italic}
table{border-collapse:collapse;font-size:.82rem;margin-top:.4rem}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.reorder td{color:#555}
details{margin-top:.8rem}footer{margin-top:2rem;color:#888;font-size:.8rem}
@media print{h2{break-after:avoid}figure.chart{break-inside:avoid}}
@media (max-width:700px){body{padding:12px 10px 32px}
figure.chart{overflow-x:auto;-webkit-overflow-scrolling:touch}
figure.chart svg{max-width:none;width:auto}
table{font-size:.8rem}}
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
document.querySelectorAll("figure.chart").forEach(function(f){var w=0,h=0,n=0,small=1e9;
var svgs=f.querySelectorAll("svg");svgs.forEach(function(s){var r=s.getBoundingClientRect();
w=Math.max(w,r.width);h+=r.height;n+=s.querySelectorAll("path,use,text").length;
var box=s.viewBox&&s.viewBox.baseVal,scale=box&&box.width?r.width/box.width:1;
s.querySelectorAll("text").forEach(function(t){var size=parseFloat(getComputedStyle(t).fontSize);
if(size>0){small=Math.min(small,size*scale);}});});
charts[f.id]={svgs:svgs.length,width:Math.round(w),height:Math.round(h),marks:n,
minFontPx:small<1e9?Math.round(small*10)/10:null};});
document.body.setAttribute("data-check",JSON.stringify({errors:window.__reportErrors||[],
charts:charts,viewport:window.innerWidth,
pageWidth:document.documentElement.scrollWidth}));});
"""
"""Last script: once loaded, writes the errors, each chart's drawn size and smallest text
[px], the viewport width and the page's width [px] into ``data-check``
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
    svgs: list[str]
    empty: str = ""


def page_html(
    plan: PlanData, sections: list[ChartSection], version: str, extra: Sequence[str] = ()
) -> str:
    """Returns the whole report page as HTML text (UTF-8, no external resources).

    ``extra`` are further sections (HTML) placed after the charts, e.g. the simulation's.
    """
    title = f"{plan.scenario} — supply plan"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<script>{ERROR_RECORDER}</script>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(_solver_line(plan))}</p>',
        *([f'<p class="notice" id="notice">{escape(plan.notice)}</p>'] if plan.notice else []),
        _kpi_cards(plan),
        _money_table(plan.kpis, plan.currency),
        "</header>",
        "<main>",
        purchase_orders_html(plan),
        cancellations_html(plan),
        rules_html(plan),
        *(_section_html(section) for section in sections),
        *extra,
        orders_html(plan),
        _materials_table(plan),
        levers_html(plan),
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
    seconds = "" if plan.seconds is None else f" in {plan.seconds:,.1f} s"
    unit = "periods" if horizon is None else f"{horizon.period_length}s"
    start = "" if horizon is None or horizon.start_date is None else f" from {horizon.start_date}"
    return (
        f"Status {plan.status} · gap {gap} · {solver.backend}/{solver.engine}{seconds} · "
        f"{len(plan.scenario_names)} demand scenarios · "
        f"{len(plan.products)} styles · {plan.n_periods} {unit}{start}"
    )


def _money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{value:,.0f} {escape(currency)}"


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


def _materials_table(plan: PlanData) -> str:
    """Returns the material panel: per material, what is bought, used by each style and left.

    Returns:
        A section with one row per material (expected over scenarios, in its own unit), or an
        empty string for a plan without materials.
    """
    if plan.materials is None:
        return ""
    head = (
        "<tr><th>material</th><th class=num>ordered</th><th>used by style</th>"
        "<th class=num>first ordered</th><th class=num>left at the end</th></tr>"
    )
    rows = []
    for item in plan.materials.by_material:
        table, unit = item.expected, escape(item.unit)
        used = ", ".join(
            f"{escape(style)} {sum(values):,.0f}" for style, values in table.used.items()
        )
        first = next((t + 1 for t, v in enumerate(table.ordered) if v > 0), None)
        cells = [
            f"<td>{escape(item.material)}</td>",
            f"<td class=num>{sum(table.ordered):,.0f} {unit}</td>",
            f"<td>{used} {unit}</td>",
            f"<td class=num>{'—' if first is None else first}</td>",
            f"<td class=num>{table.stock[-1] if table.stock else 0:,.0f} {unit}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<section><h2>Materials</h2><table id="materials-table">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></section>"
    )
