"""Plan files people open: plan.json, one CSV file per table and an Excel workbook.

Every table is built once (``tables``, ``order_tables``, ``season_tables``), with its numbers
rounded once, and then written both as CSV and as a sheet of ``plan.xlsx``, so the two always
hold the same numbers; ``Plan.to_frame(name)`` gives the same table as a DataFrame.
"""

from __future__ import annotations

import csv
import importlib
import io
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flexsupply.errors import FlexsupplyError
from flexsupply.files import check_folder, write_text_atomic
from flexsupply.plan.bands import weighted_quantile
from flexsupply.plan.cancellations import cancellations_table
from flexsupply.plan.cells import csv_cell
from flexsupply.plan.lever_tables import campaigns_table, markdown_table
from flexsupply.plan.order_tables import (
    orders_table,
    purchase_orders_table,
    reorder_rules_table,
)
from flexsupply.plan.season_tables import (
    capacity_table,
    cash_table,
    inventory_table,
    kpis_table,
    presale_table,
)
from flexsupply.plan.supply_tables import financing_table, material_orders_table, materials_table
from flexsupply.plan.tables import Table
from flexsupply.plan.workbook import write_workbook

EXCEL_SKIPPED = 'plan.xlsx skipped: pip install "flexsupply[excel]"'
"""The notice given when openpyxl is not installed and the workbook cannot be written."""
TABLE_NAMES = (
    "orders",
    "purchase_orders",
    "reorder_rules",
    "inventory",
    "cash",
    "capacity",
    "kpis",
    "presale",
)

if TYPE_CHECKING:
    from flexsupply.plan.plan import Plan
"""The tables of every plan, in the order they are written (CSV file stems and sheet names);
plans with materials, financing or levers add theirs after them."""


def plan_tables(plan: Plan) -> list[Table]:
    """Returns the tables written for a plan, in ``TABLE_NAMES`` order.

    Quantities are in units (pieces), money in the plan's currency, shares as fractions
    (0.95 = 95 %). Period columns are 1-based; when the scenario has a start date, each period
    column is followed by a column with the period's first day. Plans with materials add
    material_orders and materials, plans with financing or an overflow store add financing,
    plans with cancellable committed orders add cancellations,
    plans with demand levers add campaigns and markdown (the markdown calendar).
    """
    tables = [
        orders_table(plan),
        purchase_orders_table(plan),
        reorder_rules_table(plan),
        inventory_table(plan),
        cash_table(plan),
        capacity_table(plan),
        kpis_table(plan),
        presale_table(plan),
    ]
    if plan.materials is not None:
        tables += [material_orders_table(plan), materials_table(plan)]
    if plan.financing is not None:
        tables.append(financing_table(plan))
    if plan.cancellations:
        tables.append(cancellations_table(plan))
    if plan.levers is not None:
        tables += [campaigns_table(plan), markdown_table(plan)]
    return tables


def table_frame(plan: Plan, name: str) -> Any:
    """Returns the plan's table ``name`` as a pandas DataFrame with the CSV file's columns.

    Raises:
        FlexsupplyError: pandas is not installed, or the plan has no table ``name``.
    """
    try:
        import pandas as pd
    except ImportError:
        raise FlexsupplyError("to_frame needs pandas: pip install 'flexsupply[frames]'") from None
    tables = {table.name: table for table in plan_tables(plan)}
    if name not in tables:
        raise FlexsupplyError(f"unknown table {name!r}; choose one of {', '.join(tables)}")
    table = tables[name]
    return pd.DataFrame(table.rows, columns=table.header)


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


def write_outputs(
    plan: Plan, out_dir: str | Path, *, notify: Callable[[str], None] | None = None
) -> list[Path]:
    """Writes plan.json, one CSV file per table of ``TABLE_NAMES`` and plan.xlsx.

    Each file is written atomically; the folder is created when missing. ``plan.xlsx`` needs
    openpyxl: without it the workbook is skipped (not an error) and ``EXCEL_SKIPPED``, which
    names the extra to install, is passed to ``notify`` (default: logged as a warning). Only
    plan.json holds run facts (its ``run`` key); the CSV files and the workbook are the same
    bytes for the same plan.

    Returns:
        The paths written, in the order above.
    """
    folder = check_folder(Path(out_dir))
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "plan.json"]
    plan.to_json(written[0])
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


__all__ = [
    "EXCEL_SKIPPED",
    "TABLE_NAMES",
    "Table",
    "csv_text",
    "plan_tables",
    "table_frame",
    "weighted_quantile",
    "write_outputs",
    "write_workbook",
]
