"""The report's five charts as matplotlib figures; import only after ``require_matplotlib``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from flexsupply.plan.files import PlanData
from flexsupply.report.stats import MAX_SCENARIO_ROWS, InventoryBands, SupplierLanes

WIDTH = 11.0
"""Figure width [inches]; the page scales it down to fit."""
BLUE, BAND, DARK, RED, GREEN, ORANGE = (
    "#2f6db5",
    "#b7cde9",
    "#333333",
    "#c8412f",
    "#2e8b57",
    "#e08a1e",
)
SCENARIO_COLOURS = ("#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#d55e00", "#0072b2", "#8c6d1f")
"""One colour per demand scenario's reorders (colour-blind friendly); more scenarios share grey."""
GREY = "#8a8a8a"
LABEL_CHAR_INCHES = 0.05
"""Average width of a character of the timeline's 6.5 pt labels [inches]."""
FULL = 0.999
"""Capacity use at or above this share of capacity is drawn as fully booked."""


def _thousands(value: float, _position: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    return f"{value / 1e3:g}k" if abs(value) >= 1e3 else f"{value:g}"


def _periods_axis(ax: Axes, n_periods: int, nbins: int = 12) -> None:
    ax.set_xlim(0.5, n_periods + 0.5)
    if n_periods <= nbins:
        ax.set_xticks(range(1, n_periods + 1))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))


def inventory_figure(
    bands: InventoryBands, start: int, stop: int, n_periods: int, axis_label: str
) -> Figure:
    """Returns small multiples of stock for products ``start:stop``: expectation and P10-P90."""
    count = stop - start
    ncols = min(6, count)
    nrows = math.ceil(count / ncols)
    figure = Figure(figsize=(WIDTH, 1.45 * nrows + 0.5), layout="constrained")
    axes = figure.subplots(nrows, ncols, sharex=True, squeeze=False)
    periods = np.arange(1, n_periods + 1)
    for k, ax in enumerate(axes.flat):
        p = start + k
        if p >= stop:
            ax.set_visible(False)
            continue
        ax.fill_between(periods, bands.low[p], bands.high[p], color=BAND, linewidth=0)
        ax.plot(periods, bands.expected[p], color=BLUE, linewidth=1.4)
        ax.set_title(bands.products[p], loc="left")
        ax.set_ylim(bottom=0)
        if not np.any(np.maximum(bands.high[p], bands.expected[p]) > 0):
            ax.set_ylim(0, 1)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        _periods_axis(ax, n_periods, nbins=6)
        if k // ncols == nrows - 1 or p + ncols >= stop:
            ax.set_xlabel(axis_label)
            ax.tick_params(labelbottom=True)
    handles = [Line2D([], [], color=BLUE, linewidth=1.4), Patch(color=BAND)]
    labels = ["expected stock [units]", "P10–P90 across demand scenarios"]
    figure.legend(handles, labels, loc="outside upper left", ncols=2, frameon=False)
    return figure


def orders_figure(
    lanes: list[SupplierLanes], scenarios: list[str], n_periods: int, axis_label: str
) -> Figure:
    """Returns one timeline panel per supplier: each order from its period to its arrival."""
    rows = [max(lane.height, 1.0) for lane in lanes]
    height = sum(0.17 * r + 0.5 for r in rows) + 0.5
    figure = Figure(figsize=(WIDTH, height), layout="constrained")
    axes = figure.subplots(len(lanes), 1, sharex=True, squeeze=False, height_ratios=rows)[:, 0]
    colours = _scenario_colours(scenarios)
    for ax, lane in zip(axes, lanes, strict=True):
        for mark in lane.marks:
            colour = DARK if mark.scenario is None else colours.get(mark.scenario, GREY)
            ends = [mark.period, mark.arrival_period]
            ax.plot(ends, [mark.y, mark.y], color=colour, linewidth=1.6, solid_capstyle="butt")
            ax.plot(mark.period, mark.y, "o", color=colour, markersize=3.5)
            ax.plot(mark.arrival_period, mark.y, ">", color=colour, markersize=4.5)
            ax.annotate(
                mark.label,
                (mark.arrival_period, mark.y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=6.5,
                color=colour,
            )
        ax.set_yticks([y for _, y in lane.products], [product for product, _ in lane.products])
        for y in lane.separators:
            ax.axhline(y, color="#e3e3e3", linewidth=0.6)
        ax.set_ylim(lane.height - 0.5, -0.5)
        ax.set_title(lane.supplier, loc="left", fontweight="bold")
        ax.grid(axis="y", visible=False)
        _periods_axis(ax, n_periods)
        ax.set_xlim(0.5, n_periods + 1.2)
    axes[-1].set_xlabel(f"{axis_label}: ● ordered → ▶ arrives; label: units ordered")
    handles = [Line2D([], [], color=DARK, linewidth=1.6)]
    labels = ["shared order (all scenarios)"]
    for name, colour in colours.items():
        handles.append(Line2D([], [], color=colour, linewidth=1.6))
        labels.append(f"reorder if demand is '{name}'")
    if len(scenarios) > len(colours):
        handles.append(Line2D([], [], color=GREY, linewidth=1.6))
        labels.append(f"reorder in some of the {len(scenarios)} demand scenarios (in how many)")
    figure.legend(handles, labels, loc="outside upper left", ncols=4, frameon=False)
    return figure


def order_label_periods(n_periods: int) -> Callable[[str], float]:
    """Returns the width of an order label in the timeline's units [periods per label]."""
    inches_per_period = (WIDTH - 1.6) / (n_periods + 0.7)
    return lambda text: (0.08 + LABEL_CHAR_INCHES * len(text)) / inches_per_period


def _percent_down(share: float) -> str:
    """Returns a share as a whole percentage rounded down, so 99.7 % never reads as 100 %."""
    return f"{math.floor(share * 100 + 1e-6):.0f}%"


def _scenario_colours(scenarios: list[str]) -> dict[str, str]:
    if len(scenarios) > MAX_SCENARIO_ROWS:
        return {}
    return dict(zip(scenarios, SCENARIO_COLOURS, strict=False))


def capacity_figure(plan: PlanData) -> Figure:
    """Returns one panel per supplier: expected capacity used per period against capacity."""
    suppliers = list(plan.capacity)
    ncols = min(3, len(suppliers))
    nrows = math.ceil(len(suppliers) / ncols)
    figure = Figure(figsize=(WIDTH, 1.9 * nrows + 0.5), layout="constrained")
    axes = figure.subplots(nrows, ncols, sharex=True, squeeze=False)
    periods = np.arange(1, plan.n_periods + 1)
    for k, ax in enumerate(axes.flat):
        if k >= len(suppliers):
            ax.set_visible(False)
            continue
        data = plan.capacity[suppliers[k]]
        used = np.asarray(data.used, dtype=float)
        available = np.array([np.inf if v is None else v for v in data.available], dtype=float)
        full = used >= FULL * available
        ax.bar(periods, used, width=0.7, color=np.where(full, RED, BLUE).tolist())
        finite = np.isfinite(available)
        title = suppliers[k]
        if finite.any():
            ax.step(periods, np.where(finite, available, np.nan), where="mid", color=DARK)
            peak = float(np.max(used[finite] / np.maximum(available[finite], 1e-12)))
            title += f" · peak {peak:.0%} of capacity"
        else:
            title += " · unlimited capacity"
        ax.set_title(title, loc="left")
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        _periods_axis(ax, plan.n_periods)
        if k // ncols == nrows - 1 or k + ncols >= len(suppliers):
            ax.set_xlabel(plan.period_axis)
            ax.tick_params(labelbottom=True)
    handles = [Patch(color=BLUE), Patch(color=RED), Line2D([], [], color=DARK)]
    labels = [
        "expected capacity used (supplier's own unit, e.g. sewing minutes)",
        "fully booked",
        "capacity",
    ]
    figure.legend(handles, labels, loc="outside upper left", ncols=3, frameon=False)
    return figure


def profit_figure(plan: PlanData) -> Figure:
    """Returns the profit of each demand scenario, weighted by its probability.

    Up to 20 scenarios get one bar each (labelled with the probability); more get a
    probability-weighted histogram. The dashed line is the expected profit.
    """
    names = plan.scenario_names
    profit = np.array([plan.kpis.profit_by_scenario.get(n) or 0.0 for n in names], dtype=float)
    probs = np.asarray(plan.probabilities, dtype=float)
    currency = plan.currency
    if len(names) <= 20:
        figure = Figure(figsize=(WIDTH, 0.32 * len(names) + 1.3), layout="constrained")
        ax = figure.subplots()
        order = np.argsort(profit, kind="stable")
        labels = [f"{names[i]} (p = {probs[i]:.2f})" for i in order]
        colours = [RED if profit[i] < 0 else BLUE for i in order]
        ax.barh(range(len(order)), profit[order], color=colours, height=0.6)
        ax.set_yticks(range(len(order)), labels)
        for y, i in enumerate(order):
            ax.annotate(
                f"{profit[i]:,.0f}",
                (profit[i], y),
                xytext=(4 if profit[i] >= 0 else -4, 0),
                textcoords="offset points",
                va="center",
                ha="left" if profit[i] >= 0 else "right",
                fontsize=7,
            )
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.12)
    else:
        figure = Figure(figsize=(WIDTH, 3.0), layout="constrained")
        ax = figure.subplots()
        ax.hist(profit, bins=min(30, len(names) // 3), weights=probs, color=BLUE)
        ax.set_ylabel("probability")
    expected = plan.kpis.expected_profit
    if expected is not None:
        ax.axvline(expected, color=DARK, linestyle="--", linewidth=1.2)
        ax.annotate(
            f"expected {expected:,.0f}",
            (expected, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -2),
            textcoords="offset points",
            va="top",
            fontsize=7.5,
        )
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_xlabel(f"profit in the demand scenario [{currency}]")
    return figure


def presale_figure(plan: PlanData) -> Figure:
    """Returns one row per presale order: its promise window and the expected shipments.

    Dot area is the share of the order's units shipped in that period; green by the due
    period, orange after it. The text at the right is the expected share shipped on time.
    """
    rows = sorted(plan.presale, key=lambda s: (s.due_period, s.period, s.product))
    n_periods = plan.n_periods
    figure = Figure(figsize=(WIDTH, 0.24 * len(rows) + 1.2), layout="constrained")
    ax = figure.subplots()
    for y, service in enumerate(rows):
        ax.barh(
            y,
            service.due_period - service.period + 1,
            left=service.period - 0.5,
            height=0.62,
            color="#e8e8e8",
            linewidth=0,
        )
        shipped = np.asarray(service.shipped_by_period, dtype=float)
        periods = np.flatnonzero(shipped > 1e-6)
        share = shipped[periods] / max(service.units, 1e-12)
        colours = [GREEN if t + 1 <= service.due_period else ORANGE for t in periods]
        ax.scatter(periods + 1, np.full(len(periods), y), s=5 + 120 * share, c=colours, zorder=3)
        on_time = service.on_time_share
        text = "—" if on_time is None else f"{_percent_down(on_time)} on time"
        ax.annotate(
            text,
            (1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color=GREEN if (on_time or 0) >= 0.999 else ORANGE,
        )
    labels = [f"{s.product}  {s.period}→{s.due_period}  ({s.units:,.0f} u)" for s in rows]
    ax.set_yticks(range(len(rows)), labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    _periods_axis(ax, n_periods)
    ax.set_xlabel(f"{plan.period_axis}; grey: from presale to promised ship-by period")
    handles = [
        Patch(color="#e8e8e8"),
        Line2D([], [], marker="o", color=GREEN, linestyle=""),
        Line2D([], [], marker="o", color=ORANGE, linestyle=""),
    ]
    labels = ["promise window", "shipped on time", "shipped late"]
    figure.legend(handles, labels, loc="outside upper left", ncols=3, frameon=False)
    return figure
