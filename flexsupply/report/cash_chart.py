"""The report's cash chart: expected cash, its P10-P90 band, the lowest future, floor and low point.

Import only after ``require_matplotlib``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from flexsupply.plan.bands import cash_summary
from flexsupply.plan.files import PlanData
from flexsupply.report.order_html import period_label

WIDTH = 11.0
"""Figure width [inches], as the other charts; the page scales it to the screen."""
BLUE, BAND, RED, DARK = "#2f6db5", "#b7cde9", "#c8412f", "#333333"


def cash_band(plan: PlanData) -> dict[str, list[float]] | None:
    """Returns the plan's cash per period (``expected``, ``p10``, ``p90``, ``low``), or None.

    Computed from the cash of each demand future in the plan, weighted by probability
    [currency]; None when the plan does not model cash.
    """
    if not plan.cash:
        return None
    cash = np.array([plan.cash[name] for name in plan.scenario_names], dtype=float)
    return cash_summary(cash, plan.probabilities)


def cash_figure(plan: PlanData, floor: float | None) -> Figure:
    """Returns end-of-period cash per period: expectation, P10-P90 band and lowest future.

    The dashed red line is the floor (``floor``, None: no floor is drawn); the lowest balance of
    the season is marked with its amount and period.
    """
    band = cash_band(plan)
    assert band is not None, "draw the cash chart only for a plan with cash"
    periods = np.arange(1, plan.n_periods + 1)
    figure = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.fill_between(periods, band["p10"], band["p90"], color=BAND, linewidth=0, label="P10-P90")
    ax.plot(periods, band["expected"], color=BLUE, linewidth=1.8, label="expected")
    ax.plot(periods, band["low"], color=DARK, linewidth=1.0, linestyle=":", label="lowest future")
    if floor is not None:
        ax.axhline(floor, color=RED, linestyle="--", linewidth=1.2, label=f"floor {floor:,.0f}")
    low = int(np.argmin(band["low"]))
    ax.scatter([low + 1], [band["low"][low]], color=RED, zorder=4, s=36)
    ax.annotate(
        f"low point {band['low'][low]:,.0f} {plan.currency} ({_period_word(plan)} "
        f"{period_label(plan)(low + 1)})",
        (low + 1, band["low"][low]),
        xytext=(6, 8),
        textcoords="offset points",
        color=RED,
        fontsize=8,
    )
    ax.set_xlim(0.5, plan.n_periods + 0.5)
    ax.set_xticks(periods if plan.n_periods <= 26 else periods[::4])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.set_ylabel(f"cash at period end [{plan.currency}]")
    ax.set_xlabel(plan.period_axis)
    figure.legend(loc="outside upper left", ncols=4, frameon=False)
    return figure


def _period_word(plan: PlanData) -> str:
    return "period" if plan.horizon is None else plan.horizon.period_length
