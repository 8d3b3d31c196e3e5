"""Plans side by side: the headline KPIs of several plans, with the best value of each row marked.

Each input is a ``Plan`` or a ``plan.json`` written by ``flexsupply solve --out-dir`` (or the
folder holding it). Comparing never solves: ``flexsupply.solve.inputs.plan_or_solve`` turns a
scenario file into a plan first (the CLI does that for scenario inputs).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

from flexsupply.plan.cells import csv_cell
from flexsupply.plan.plan import Plan

Value = float | str | None
"""One cell of a comparison: a number, a word (solver status) or None (not in that plan)."""

RELATIVE_TIE = 1e-9
"""Values this close (relative to the larger magnitude) are equally good."""


class Better(StrEnum):
    """Which value of a row is the best one."""

    HIGHER = "higher"
    LOWER = "lower"
    NONE = "none"
    """Neither: the row informs (solver status, units per supplier)."""


class Unit(StrEnum):
    """How a row's values are measured, and so printed."""

    MONEY = "money"
    SHARE = "share"
    UNITS = "units"
    TEXT = "text"


@dataclass(frozen=True)
class Row:
    """One line of a comparison: a KPI's value in each plan and which of them is best."""

    key: str
    """Stable name, e.g. ``expected_profit`` or ``units_from.QR-HZ``."""
    label: str
    """What a person reads, e.g. ``expected profit``."""
    unit: Unit
    better: Better
    values: list[Value]
    """One value per plan, in the order of ``Comparison.labels``."""
    best: list[bool]
    """True where the value is the best of the row (ties all marked; none when all are equal)."""


@dataclass(frozen=True)
class Comparison:
    """KPIs of several plans side by side."""

    labels: list[str]
    """Column label of each plan: its file stem, made unique."""
    sources: list[str]
    """The file each plan came from."""
    currencies: list[str]
    rows: list[Row]

    def to_dict(self) -> dict[str, Any]:
        """Returns the comparison as JSON-ready data: plans, then rows with values and best."""
        return {
            "plans": [
                {"label": label, "source": source, "currency": currency}
                for label, source, currency in zip(
                    self.labels, self.sources, self.currencies, strict=True
                )
            ],
            "rows": [
                {
                    "key": row.key,
                    "label": row.label,
                    "unit": row.unit.value,
                    "better": row.better.value,
                    "values": dict(zip(self.labels, row.values, strict=True)),
                    "best": [
                        label for label, best in zip(self.labels, row.best, strict=True) if best
                    ],
                }
                for row in self.rows
            ],
        }


@dataclass(frozen=True)
class _Metric:
    key: str
    label: str
    unit: Unit
    better: Better
    read: Callable[[dict[str, Any]], Value]


_METRICS = [
    _Metric(
        "expected_profit",
        "expected profit",
        Unit.MONEY,
        Better.HIGHER,
        lambda plan: plan["kpis"]["expected_profit"],
    ),
    _Metric("fill_rate", "fill rate", Unit.SHARE, Better.HIGHER, lambda p: p["kpis"]["fill_rate"]),
    _Metric(
        "presale_on_time_share",
        "presale on time",
        Unit.SHARE,
        Better.HIGHER,
        lambda plan: plan["kpis"]["presale_on_time_share"],
    ),
    _Metric(
        "leftover_units",
        "leftover units",
        Unit.UNITS,
        Better.LOWER,
        lambda plan: plan["kpis"]["leftover_units"],
    ),
    _Metric(
        "cash_low_point",
        "cash low point",
        Unit.MONEY,
        Better.HIGHER,
        lambda plan: plan["kpis"].get("cash_low_point"),
    ),
    _Metric(
        "order_cost",
        "order cost",
        Unit.MONEY,
        Better.LOWER,
        lambda plan: _order_cost(plan["kpis"]["costs"]),
    ),
]
_SOLVER_METRICS = [
    _Metric("status", "solver status", Unit.TEXT, Better.NONE, lambda plan: plan["status"]),
    _Metric("gap", "optimality gap", Unit.SHARE, Better.LOWER, lambda plan: plan.get("gap")),
]


def compare_plans(
    plans: Sequence[Plan | dict[str, Any]],
    labels: Sequence[str],
    sources: Sequence[str] | None = None,
) -> Comparison:
    """Returns the comparison of plans, given as ``Plan`` objects or ``Plan.to_dict()`` data.

    Rows: expected profit, fill rate, presale on time, leftover units, cash low point, expected
    order cost (purchase and setup), expected units ordered from each supplier, for plans with
    levers the marketing spend and what each campaign buys, solver status and optimality gap. Money is in each plan's currency; when the currencies differ no money
    row marks a best value.

    Raises:
        ValueError: ``labels`` (or ``sources``) do not give one entry per plan.
    """
    if len(labels) != len(plans) or (sources is not None and len(sources) != len(plans)):
        raise ValueError("compare_plans needs one label (and source) per plan")
    data = [plan.to_dict() if isinstance(plan, Plan) else plan for plan in plans]
    currencies = [str(plan.get("currency", "")) for plan in data]
    same_currency = len(set(currencies)) <= 1
    rows = [_row(metric, data, same_currency) for metric in _METRICS]
    suppliers = sorted({order["supplier"] for plan in data for order in plan["orders"]})
    for supplier in suppliers:
        rows.append(
            _row(
                _Metric(
                    f"units_from.{supplier}",
                    f"units from {supplier}",
                    Unit.UNITS,
                    Better.NONE,
                    partial(_expected_units, supplier=supplier),
                ),
                data,
                same_currency,
            )
        )
    rows += _lever_rows(data, same_currency)
    rows += [_row(metric, data, same_currency) for metric in _SOLVER_METRICS]
    return Comparison(
        labels=list(labels),
        sources=list(labels if sources is None else sources),
        currencies=currencies,
        rows=rows,
    )


def _lever_rows(data: list[dict[str, Any]], same_currency: bool) -> list[Row]:
    """Returns the marketing spend and what each campaign buys, for plans with levers."""
    levers = [plan.get("levers") or {} for plan in data]
    if not any(levers):
        return []
    names = list(dict.fromkeys(c["name"] for lever in levers for c in lever.get("campaigns", [])))
    metrics = [
        _Metric(
            "marketing_cost",
            "marketing and commission",
            Unit.MONEY,
            Better.NONE,
            lambda plan: (
                plan["kpis"]["costs"].get("marketing", 0.0)
                + plan["kpis"]["costs"].get("commission", 0.0)
            ),
        ),
        *(
            _Metric(
                f"bought.{name}",
                f"{name} bought",
                Unit.UNITS,
                Better.NONE,
                partial(_campaign_bought, name=name),
            )
            for name in names
        ),
    ]
    return [_row(metric, data, same_currency) for metric in metrics]


def _campaign_bought(plan: dict[str, Any], *, name: str) -> float | None:
    """Returns the expected purchase of campaign ``name`` (slots, posts or clicks), or None."""
    probabilities = [s["probability"] for s in plan["demand_scenarios"]]
    for campaign in (plan.get("levers") or {}).get("campaigns", []):
        if campaign["name"] == name:
            return float(sum(p * b for p, b in zip(probabilities, campaign["bought"], strict=True)))
    return None


def compare_files(paths: Sequence[str | Path]) -> Comparison:
    """Returns the comparison of plan files, one column per path.

    Each path is a ``plan.json`` or a folder holding one; nothing is solved (see the module
    docstring for scenario files).

    Raises:
        PlanFileError: a plan file cannot be read or is not a flexsupply plan.
    """
    plans = [Plan.from_json(path) for path in paths]
    return compare_plans(plans, unique_labels(paths), [str(path) for path in paths])


def read_plan_file(path: str | Path) -> dict[str, Any]:
    """Returns the data of a plan.json file as ``Plan.to_dict`` gives it, read by ``Plan.from_json``.

    Raises:
        PlanFileError: the file is missing, not JSON, or not a flexsupply plan; the message
            names the file (and the line of a JSON syntax error).
    """
    return Plan.from_json(path).to_dict()


def unique_labels(paths: Sequence[str | Path]) -> list[str]:
    """Returns a column label per path: its file stem, or its folder name for a plan folder.

    Repeated labels are told apart by their parent folder (``a/plan``, ``b/plan``) and, when
    that is the same too, by a number (``plan#2``).
    """
    names = [_stem(Path(path)) for path in paths]
    counts = Counter(names)
    labels = [
        f"{Path(path).resolve().parent.name}/{name}" if counts[name] > 1 else name
        for path, name in zip(paths, names, strict=True)
    ]
    seen: Counter[str] = Counter()
    for i, label in enumerate(labels):
        seen[label] += 1
        if seen[label] > 1:
            labels[i] = f"{label}#{seen[label]}"
    return labels


def comparison_table(comparison: Comparison, marker: str = "*") -> str:
    """Returns the comparison as a plain-text table; ``marker`` follows each best value."""
    header = ["", *comparison.labels]
    money = comparison.currencies[0] if len(set(comparison.currencies)) == 1 else ""
    body = [
        [
            row.label + (f" [{money}]" if row.unit is Unit.MONEY and money else ""),
            *(
                _format(value, row.unit) + (marker if best else " " * len(marker))
                for value, best in zip(row.values, row.best, strict=True)
            ),
        ]
        for row in comparison.rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        ).rstrip()
        for line in [header, *body]
    ]
    lines.append(f"{marker} best value of the row")
    return "\n".join(lines)


def comparison_csv(comparison: Comparison) -> str:
    """Returns the comparison as CSV: key, unit, better, one column per plan, then ``best``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["key", "unit", "better", *map(csv_cell, comparison.labels), "best"])
    for row in comparison.rows:
        best = ";".join(
            label for label, is_best in zip(comparison.labels, row.best, strict=True) if is_best
        )
        cells = [csv_cell(value) for value in row.values]
        labels = [csv_cell(text) for text in (row.key, row.unit.value, row.better.value)]
        writer.writerow([*labels, *cells, csv_cell(best)])
    return buffer.getvalue()


def comparison_json(comparison: Comparison) -> str:
    """Returns the comparison as indented JSON text (see ``Comparison.to_dict``)."""
    return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _row(metric: _Metric, plans: Sequence[dict[str, Any]], same_currency: bool) -> Row:
    values = [metric.read(plan) for plan in plans]
    comparable = metric.unit is not Unit.MONEY or same_currency
    best = _best(values, metric.better) if comparable else [False] * len(values)
    return Row(metric.key, metric.label, metric.unit, metric.better, values, best)


def _best(values: list[Value], better: Better) -> list[bool]:
    numbers = [v for v in values if isinstance(v, int | float) and not math.isnan(v)]
    if better is Better.NONE or len(numbers) < 2:
        return [False] * len(values)
    top = max(numbers) if better is Better.HIGHER else min(numbers)
    marked = [isinstance(v, int | float) and _tie(v, top) for v in values]
    return [False] * len(values) if all(_tie(v, top) for v in numbers) else marked


def _tie(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RELATIVE_TIE, abs_tol=RELATIVE_TIE)


def _order_cost(costs: dict[str, float]) -> float:
    return round(costs.get("purchase", 0.0) + costs.get("setup", 0.0), 6)


def _expected_units(plan: dict[str, Any], *, supplier: str) -> float:
    """Returns the units ordered from a supplier, reorders weighted by their scenario's chance."""
    chance = {item["name"]: item["probability"] for item in plan["demand_scenarios"]}
    units = math.fsum(
        order["quantity"] * (1.0 if order["scenario"] is None else chance[order["scenario"]])
        for order in plan["orders"]
        if order["supplier"] == supplier
    )
    return round(units, 6)


def _stem(path: Path) -> str:
    if path.is_dir():
        return path.resolve().name
    return path.stem


def _format(value: Value, unit: Unit) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if unit is Unit.SHARE:
        return f"{value:.2%}" if 0 < abs(value) < 0.01 else f"{value:.1%}"
    return f"{value:,.0f}"
