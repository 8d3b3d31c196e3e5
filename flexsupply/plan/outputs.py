"""Plan files people open: plan.json, CSV tables and an Excel workbook with one sheet per table.

Every table is built once, with its numbers rounded once, and then written both as CSV and as a
sheet of ``plan.xlsx``, so the two always hold the same numbers.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from flexsupply.files import check_folder, write_atomic, write_text_atomic
from flexsupply.plan import Plan
from flexsupply.plan.cells import csv_cell, text_cell

Cell = str | int | float | date | None
"""One table cell: text, a number, a date, or None for an empty cell."""
_Dates = Callable[[int], date] | None

RUN_FILE = "run.json"
"""The facts of the run that differ from run to run (``Plan.run_record``), beside plan.json."""
EXCEL_SKIPPED = 'plan.xlsx skipped: pip install "flexsupply[excel]"'
"""The notice given when openpyxl is not installed and the workbook cannot be written."""

QUANTITY_DIGITS = 4
"""Decimals kept for unit quantities in the tables."""
MONEY_DIGITS = 2
"""Decimals kept for money amounts in the tables."""
PRICE_DIGITS = 4
"""Decimals kept for unit prices in the tables."""
SHARE_DIGITS = 6
"""Decimals kept for shares (fill rate, on-time share, gap)."""
DATE_COLUMNS = frozenset({"period_start", "arrival_date", "due_date"})
"""Columns holding the first day of a period (present when the scenario has a start date)."""
FIXED_TIMESTAMP = datetime(2000, 1, 1)
"""Creation and modification time written into plan.xlsx (and its zip entries) for every plan,
so that the same plan gives a byte-identical workbook."""
LOW_QUANTILE, HIGH_QUANTILE = 0.1, 0.9
"""The band of stock across demand scenarios in ``inventory.csv`` (P10 and P90)."""


@dataclass(frozen=True)
class Table:
    """One output table: its name (file stem and sheet name), header and rows."""

    name: str
    header: list[str]
    rows: list[list[Cell]]


def plan_tables(plan: Plan) -> list[Table]:
    """Returns the tables written for a plan: orders, inventory, kpis and presale, in that order.

    Quantities are in units, money in the plan's currency, shares as fractions (0.95 = 95 %).
    Period columns are 1-based; when the scenario has a start date, each period column is
    followed by a column with the period's first day.
    """
    return [orders_table(plan), inventory_table(plan), kpis_table(plan), presale_table(plan)]


def orders_table(plan: Plan) -> Table:
    """Returns one row per purchase order (units, money in the plan's currency).

    ``scenario`` is empty for a first-stage order shared by every demand scenario and names the
    demand scenario of a reorder.
    """
    dates = _dates(plan)
    header = [
        "supplier",
        "product",
        "stage",
        "scenario",
        *_period_header("period", "period_start", dates),
    ]
    header += [*_period_header("arrival_period", "arrival_date", dates), "quantity", "good_units"]
    header += ["unit_cost", "total_cost", "tier"]
    rows: list[list[Cell]] = [
        [
            order.supplier,
            order.product,
            "first" if order.scenario is None else "reorder",
            order.scenario or "",
            *_period_cells(order.period, dates),
            *_period_cells(order.arrival_period, dates),
            _units(order.quantity),
            _units(order.good_units),
            _round(order.unit_cost, PRICE_DIGITS),
            _money(order.total_cost),
            order.tier,
        ]
        for order in plan.orders
    ]
    return Table("orders", header, rows)


def inventory_table(plan: Plan) -> Table:
    """Returns end-of-period stock per product and period [units].

    Columns: expected stock, its P10 and P90 across demand scenarios (weighted by their
    probabilities), expected spot demand, expected spot sales and expected backlog.
    """
    dates = _dates(plan)
    probs = np.asarray(plan.probabilities)
    low = weighted_quantile(plan.inventory, probs, LOW_QUANTILE)
    high = weighted_quantile(plan.inventory, probs, HIGH_QUANTILE)
    expected = {
        name: np.einsum("w,wpt->pt", probs, values)
        for name, values in (
            ("stock", plan.inventory),
            ("demand", plan.demand),
            ("sales", plan.sales),
            ("backlog", plan.backlog),
        )
    }
    header = ["product", *_period_header("period", "period_start", dates), "expected_stock"]
    header += ["p10_stock", "p90_stock", "expected_demand", "expected_sales", "expected_backlog"]
    rows: list[list[Cell]] = []
    for p, product in enumerate(plan.products):
        for t in range(plan.inventory.shape[2]):
            numbers = [
                expected["stock"][p, t],
                low[p, t],
                high[p, t],
                expected["demand"][p, t],
                expected["sales"][p, t],
                expected["backlog"][p, t],
            ]
            rows.append(
                [
                    product,
                    *_period_cells(t + 1, dates),
                    *(_units(value) for value in numbers),
                ]
            )
    return Table("inventory", header, rows)


def kpis_table(plan: Plan) -> Table:
    """Returns one row per KPI: name, value and unit (the currency, ``units`` or ``share``).

    Money KPIs are expected over demand scenarios; a KPI the plan does not have (cash low point
    without a cash model, CVaR without a risk term) has an empty value.
    """
    k = plan.kpis
    money = plan.currency
    rows: list[list[Cell]] = [
        ["expected_profit", _money(k.expected_profit), money],
        ["revenue", _money(k.revenue), money],
    ]
    rows += [[f"revenue_{kind}", _money(value), money] for kind, value in k.revenue_by_kind.items()]
    rows += [[f"cost_{kind}", _money(value), money] for kind, value in k.costs.items()]
    rows += [
        ["fill_rate", _share(k.fill_rate), "share"],
        ["presale_on_time_share", _share(k.presale_on_time_share), "share"],
        ["leftover_units", _units(k.leftover_units), "units"],
        ["leftover_value", _money(k.leftover_value), money],
        ["cash_low_point", None if k.cash_low_point is None else _money(k.cash_low_point), money],
        ["cvar", None if k.cvar is None else _money(k.cvar), money],
        ["cvar_alpha", k.cvar_alpha, "share"],
        ["optimality_gap", _share(plan.gap), "share"],
    ]
    rows += [
        [f"profit_{name}", _money(value), money] for name, value in k.profit_by_scenario.items()
    ]
    return Table("kpis", ["name", "value", "unit"], rows)


def presale_table(plan: Plan) -> Table:
    """Returns one row per presale order: units to ship, units shipped by the due period, share.

    Units are expected over demand scenarios.
    """
    dates = _dates(plan)
    header = ["product", *_period_header("period", "period_start", dates)]
    header += _period_header("due_period", "due_date", dates)
    header += ["units", "shipped_by_due", "on_time_share"]
    rows: list[list[Cell]] = [
        [
            service.product,
            *_period_cells(service.period, dates),
            *_period_cells(service.due_period, dates),
            _units(service.units),
            _units(sum(service.shipped_by_period[: service.due_period])),
            _share(service.on_time_share),
        ]
        for service in plan.presale
    ]
    return Table("presale", header, rows)


def weighted_quantile(values: np.ndarray, probs: np.ndarray, q: float) -> np.ndarray:
    """Returns the q-quantile over the first axis of ``values``, scenarios weighted by ``probs``.

    The quantile is the smallest scenario value whose cumulative probability reaches ``q``
    (the lower inverse of the distribution function), so it is always one scenario's value.

    Args:
        values: shape ``(Ω, ...)``, one slice per demand scenario.
        probs: shape ``(Ω,)``, the scenario probabilities (summing to 1).
        q: the quantile, between 0 and 1.

    Returns:
        Shape ``values.shape[1:]``, in the unit of ``values``.
    """
    order = np.argsort(values, axis=0, kind="stable")
    ranked = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(probs[order], axis=0)
    index = np.argmax(cumulative >= q - 1e-9, axis=0)
    quantile: np.ndarray = np.take_along_axis(ranked, index[None, ...], axis=0)[0]
    return quantile


def csv_text(table: Table) -> str:
    """Returns a table as CSV text (comma separated, header first, dates as YYYY-MM-DD).

    A text cell that a spreadsheet would run as a formula gets a leading ``'`` (``csv_cell``).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(
            [cell.isoformat() if isinstance(cell, date) else csv_cell(cell) for cell in row]
        )
    return buffer.getvalue()


def write_workbook(tables: list[Table], path: Path) -> Path:
    """Writes the tables as sheets of one Excel workbook, atomically.

    Text cells are written as text, never as formulas (``text_cell``); numbers as numbers.

    Returns:
        The path written.

    Raises:
        ImportError: openpyxl is not installed (``pip install "flexsupply[excel]"``).
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append(table.header)
        for row in table.rows:
            sheet.append([text_cell(cell) if isinstance(cell, str) else cell for cell in row])
        sheet.freeze_panes = "A2"
        for column, title in enumerate(table.header, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = max(12, len(title) + 2)
            if title in DATE_COLUMNS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                    cell.number_format = "yyyy-mm-dd"
    # openpyxl stamps the workbook and each zip entry with the time of saving; fixed stamps
    # make the same plan give the same bytes.
    book.properties.created = book.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(path, lambda temporary: _repack(buffer.getvalue(), temporary))


def _repack(data: bytes, path: str) -> None:
    """Writes the zip archive ``data`` to ``path`` with every entry dated ``FIXED_TIMESTAMP``."""
    stamp = FIXED_TIMESTAMP.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = entry.external_attr
            target.writestr(fixed, source.read(entry))


def write_outputs(
    plan: Plan, out_dir: str | Path, *, notify: Callable[[str], None] | None = None
) -> list[Path]:
    """Writes plan.json, run.json, orders.csv, inventory.csv, kpis.csv, presale.csv, plan.xlsx.

    Every file but ``run.json`` (the seconds the run took) is the same, byte for byte, for the
    same scenario and settings: ``plan.json`` leaves out the plan's ``run`` record.

    Each file is written atomically; the folder is created when missing. ``plan.xlsx`` needs
    openpyxl: without it the workbook is skipped (not an error) and ``EXCEL_SKIPPED``, which
    names the extra to install, is passed to ``notify`` (default: logged as a warning).

    Returns:
        The paths written, in the order above.
    """
    folder = Path(out_dir)
    check_folder(folder)
    written = [folder / "plan.json", folder / RUN_FILE]
    plan.to_json(written[0], run=False)
    write_text_atomic(written[1], json.dumps(plan.run_record(), indent=2) + "\n")
    tables = plan_tables(plan)
    for table in tables:
        written.append(write_text_atomic(folder / f"{table.name}.csv", csv_text(table)))
    try:
        importlib.import_module("openpyxl")
    except ImportError:
        (notify or logging.getLogger(__name__).warning)(EXCEL_SKIPPED)
        return written
    written.append(write_workbook(tables, folder / "plan.xlsx"))
    return written


def _period_header(name: str, date_name: str, dates: _Dates) -> list[str]:
    return [name] if dates is None else [name, date_name]


def _period_cells(period: int, dates: _Dates) -> list[Cell]:
    return [period] if dates is None else [period, dates(period)]


def _dates(plan: Plan) -> _Dates:
    """Returns the first day of a 1-based period (also past the horizon), or None without dates."""
    if plan.start_date is None:
        return None
    first = plan.start_date
    step = timedelta(days=7 if plan.period_length == "week" else 1)
    return lambda period: first + (period - 1) * step


def _units(value: float) -> float:
    return _round(value, QUANTITY_DIGITS)


def _money(value: float) -> float:
    return _round(value, MONEY_DIGITS)


def _share(value: float) -> float:
    return _round(value, SHARE_DIGITS)


def _round(value: float, digits: int) -> float:
    rounded = round(float(value), digits)
    return 0.0 if rounded == 0 else rounded
