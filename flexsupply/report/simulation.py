"""The out-of-sample section of the HTML report: policies on the same demand samples.

Reads what ``flexsupply simulate --out FILE`` writes (``SimulationReport.to_dict`` or, with
``--policy rolling``, ``RollingReport.to_dict``) and renders one table row per policy, with the
95 % intervals of the mean profit, fill rate and leftover, and the value of quick response
when the file has them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from flexsupply.errors import FlexsupplyError


def read_simulation(path: str | Path) -> dict[str, Any]:
    """Returns the data of a simulation report file written by ``flexsupply simulate --out``.

    Raises:
        FlexsupplyError: the file cannot be read, is not JSON or holds no policies.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FlexsupplyError(f"cannot read the simulation report {path}: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("policies"), list):
        raise FlexsupplyError(
            f"{path}: not a simulation report (no 'policies'); write one with "
            "`flexsupply simulate FILE --out sim.json`"
        )
    return data


def _number(value: Any, spec: str) -> str:
    if not isinstance(value, int | float) or math.isnan(value):
        return "–"
    return format(value, spec)


def _interval(interval: Mapping[str, Any] | None, spec: str, within: str = "") -> str:
    """Returns ``low … high`` of an interval; in brackets after a value when ``within``."""
    if not interval or interval.get("low") is None:
        return "" if within else "–"
    text = f"{_number(interval['low'], spec)} … {_number(interval['high'], spec)}"
    return f'{within}<span class="ci">({text})</span>' if within else text


def simulation_html(report: Mapping[str, Any]) -> str:
    """Returns the report section of a simulation: one row per policy, money in its currency.

    Returns:
        An HTML ``<section>`` (no external resources).
    """
    currency = escape(str(report.get("currency", "")))
    profit_intervals = report.get("profit_interval") or {}
    rows = []
    for policy in report["policies"]:
        name = str(policy["name"])
        profit, fill, leftover = policy["profit"], policy["fill_rate"], policy["leftover_units"]
        intervals = policy.get("intervals") or {}
        interval = intervals.get("profit") or profit_intervals.get(name)
        cells = [
            escape(name),
            _number(profit["mean"], ",.0f"),
            _interval(interval, ",.0f"),
            _number(profit["p5"], ",.0f"),
            _number(profit["p95"], ",.0f"),
            _number(fill["mean"], ".1%") + _interval(intervals.get("fill_rate"), ".1%", " "),
            _number(leftover["mean"], ",.0f")
            + _interval(intervals.get("leftover_units"), ",.0f", " "),
            str(policy.get("infeasible_samples", 0)),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = [
        "policy",
        f"profit mean [{currency}]",
        "95 % interval of the mean",
        "P5",
        "P95",
        "fill rate (95 % interval)",
        "leftover units (95 % interval)",
        "samples without plan",
    ]
    parts = [
        '<section id="simulation"><h2>Out of sample</h2>',
        f'<p class="sub">{escape(str(report.get("samples")))} demand samples '
        f"({escape(str(report.get('source', '')))}, seed {escape(str(report.get('seed')))})</p>",
        "<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead>",
        "<tbody>" + "".join(rows) + "</tbody></table>",
    ]
    value = report.get("value_of_quick_response")
    if value:
        parts.append(
            f"<p>Value of quick response (rolling every {escape(str(report.get('every')))} − "
            f"static plan, per sample): <strong>{_number(value['mean'], ',.0f')} {currency}"
            f"</strong>, 95 % interval {_number(value['low'], ',.0f')} … "
            f"{_number(value['high'], ',.0f')} over {escape(str(value['samples']))} samples.</p>"
        )
    parts.append("</section>")
    return "\n".join(parts)


__all__ = ["read_simulation", "simulation_html"]
