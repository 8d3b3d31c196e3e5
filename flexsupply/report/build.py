"""Plan data → chart SVGs → the report page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flexsupply.files import write_text_atomic
from flexsupply.plan import Plan
from flexsupply.plan.files import PlanData, parse_plan
from flexsupply.report.page import ChartSection, page_html
from flexsupply.report.simulation import simulation_html
from flexsupply.report.stats import MAX_SCENARIO_ROWS, inventory_bands, supplier_lanes
from flexsupply.report.svg import chart_context, figure_svg, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STYLES_PER_FIGURE = 30
"""Inventory small multiples per SVG; more styles continue in the next SVG of the same figure."""


def render_report(
    plan: Plan | PlanData | Mapping[str, Any], simulation: Mapping[str, Any] | None = None
) -> str:
    """Returns the HTML report of ``plan`` as text: same plan, byte-identical page.

    ``simulation`` is a report of ``flexsupply simulate --out`` (``read_simulation``), shown as
    an out-of-sample section. Raises ``ReportExtraError`` when matplotlib is missing and
    ``PlanFileError`` when the dict lacks or mistypes a field the report needs.
    """
    require_matplotlib()
    if isinstance(plan, Plan):
        plan = plan.to_dict()
    data = plan if isinstance(plan, PlanData) else parse_plan(plan)
    extra = [] if simulation is None else [simulation_html(simulation)]
    return page_html(data, chart_sections(data), _version(), extra)


def write_report(
    plan: Plan | PlanData | Mapping[str, Any],
    path: str | Path,
    simulation: Mapping[str, Any] | None = None,
) -> Path:
    """Returns ``path`` after writing the HTML report of ``plan`` there atomically (UTF-8).

    ``simulation`` as for ``render_report``. Raises ``OutputError`` naming the file when it
    cannot be written.
    """
    return write_text_atomic(path, render_report(plan, simulation))


def chart_sections(plan: PlanData) -> list[ChartSection]:
    """Returns the six chart sections of the report, each with its SVGs drawn."""
    import flexsupply.report.cash_chart as cash_chart
    import flexsupply.report.charts as charts

    bands = inventory_bands(plan)
    n_products, periods = len(plan.products), plan.n_periods
    inventory = [
        _draw(
            f"chart-inventory-{start // STYLES_PER_FIGURE + 1}",
            "Stock per style",
            partial(
                charts.inventory_figure,
                bands,
                start,
                min(start + STYLES_PER_FIGURE, n_products),
                periods,
                plan.period_axis,
            ),
        )
        for start in range(0, n_products, STYLES_PER_FIGURE)
    ]
    lanes = supplier_lanes(plan, charts.order_label_periods(periods))
    orders = partial(charts.orders_figure, lanes, plan.scenario_names, periods, plan.period_axis)
    drawn = {
        "orders": [_draw("chart-orders-1", "Orders per supplier", orders)] if lanes else [],
        "capacity": (
            [_draw("chart-capacity-1", "Capacity use", partial(charts.capacity_figure, plan))]
            if plan.capacity
            else []
        ),
        "profit": [_draw("chart-profit-1", "Profit", partial(charts.profit_figure, plan))],
        "cash": (
            [_draw("chart-cash-1", "Cash", partial(cash_chart.cash_figure, plan, _floor(plan)))]
            if cash_chart.cash_band(plan) is not None
            else []
        ),
        "presale": (
            [_draw("chart-presale-1", "Presale shipments", partial(charts.presale_figure, plan))]
            if plan.presale
            else []
        ),
    }
    return [
        ChartSection(
            "chart-inventory",
            "Stock per style",
            "End-of-period stock: the line is the expectation over demand scenarios, the band "
            "runs from P10 to P90 (probability weighted). Each panel has its own scale.",
            inventory,
            "No styles in this plan.",
        ),
        ChartSection(
            "chart-cash",
            "Cash",
            "Cash at the end of each period: the line is the expectation over demand futures, "
            "the band runs from P10 to P90, the dotted line is the lowest future; the dashed "
            "line is the floor the plan must keep and the dot the season's low point.",
            drawn["cash"],
            "Cash is not modelled in this scenario (no `cash:` section).",
        ),
        ChartSection(
            "chart-orders",
            "Orders per supplier",
            "Each order runs from the period it is placed to the period its goods arrive, "
            "labelled with the units ordered. Shared orders are placed whatever the demand; "
            + (
                "reorders only in the demand scenario named by their colour."
                if len(plan.scenario_names) <= MAX_SCENARIO_ROWS
                else "reorders only in some demand scenarios: the same reorder in several "
                "scenarios is one arrow, labelled with its range of units and in how many."
            ),
            drawn["orders"],
            "No orders in this plan.",
        ),
        ChartSection(
            "chart-capacity",
            "Supplier capacity use",
            "Expected capacity used per period (probability weighted over demand scenarios) "
            "against the supplier's capacity, in the supplier's own unit.",
            drawn["capacity"],
            "No suppliers in this plan.",
        ),
        ChartSection(
            "chart-profit",
            "Profit across demand scenarios",
            "Profit of the plan in each demand scenario with its probability; the dashed line "
            "is the expected profit.",
            drawn["profit"],
        ),
        ChartSection(
            "chart-presale",
            "Presale shipments against promise dates",
            "One row per presale order (style, presale period → promised ship-by period, units). "
            "Dots are expected shipments, their area the share of the order's units.",
            drawn["presale"],
            "No presale orders in this plan.",
        ),
    ]


def _floor(plan: PlanData) -> float | None:
    """Returns the cash floor the plan file states (None in older files and without a floor)."""
    return None if plan.cash_summary is None else plan.cash_summary.floor


def _draw(svg_id: str, label: str, build: Callable[[], Figure]) -> str:
    """Returns the SVG of the figure ``build`` makes, drawn in the report's style."""
    with chart_context(svg_id):
        return figure_svg(build(), svg_id, label)


def _version() -> str:
    try:
        return version("flexsupply")
    except PackageNotFoundError:
        return "(not installed)"
