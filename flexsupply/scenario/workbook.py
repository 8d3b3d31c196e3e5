"""A scenario as an Excel workbook: one sheet per table of ``table_layout``.

Reading names the cell of every problem (``season.xlsx!suppliers!D7``); writing gives a workbook
that reads back to an equal scenario. With ``notes``, each header cell carries a note (meaning,
unit and allowed range, from the schema's docstrings), and cells get data validation: lists of
the ids that must exist, choices, true/false and number ranges. Needs openpyxl
(``pip install "flexsupply[excel]"``).
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from flexsupply.errors import Problem, ScenarioError
from flexsupply.files import write_atomic
from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.table_layout import SETTINGS, Column, Table, scenario_layout
from flexsupply.scenario.table_read import Edit, Place, Sheet, read_tables
from flexsupply.scenario.table_write import TableRows, scenario_tables

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

INSTALL = 'pip install "flexsupply[excel]"'
"""How to get openpyxl, named in the error when it is missing."""
SUFFIXES = (".xlsx", ".xlsm")
"""File suffixes read as workbooks."""
_VALIDATED_ROWS = 500
"""Data validation reaches this many rows below the last row written."""
_ID_SOURCES = {"product": ("products", "id"), "supplier": ("suppliers", "id")}
_ID_SOURCES_BY_TABLE = {"scenario": ("demand_scenarios", "name")}


def _openpyxl_missing(source: str) -> ScenarioError:
    message = f"reading and writing workbooks needs openpyxl: {INSTALL}"
    return ScenarioError([Problem((), message, source)], source)


def read_workbook(path: str | Path, edit: Edit | None = None) -> Scenario:
    """Reads and validates a scenario workbook.

    Args:
        path: The ``.xlsx`` file.
        edit: Returns changed data before it is validated (``--set`` overrides).

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: openpyxl is missing, the file is not a workbook, or it has problems; each
            problem names its sheet and cell.
    """
    source = str(path)
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise _openpyxl_missing(source) from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        message = f"cannot read the workbook: {reason}"
        raise ScenarioError([Problem((), message, source)], source) from None
    try:
        sheets = [
            _sheet(worksheet.title, worksheet.iter_rows(values_only=True), source)
            for worksheet in workbook.worksheets
        ]
    finally:
        workbook.close()
    blank = _uncomputed_formulas(path, sheets)
    if blank:
        raise ScenarioError(blank, source)
    return read_tables(sheets, source, lambda name: {"file": source, "sheet": name}, edit)


def _uncomputed_formulas(path: str | Path, sheets: Sequence[Sheet]) -> list[Problem]:
    """Returns a problem at every formula whose value the file does not hold.

    A workbook keeps the last value Excel computed for each formula, and that value is what is
    read; a workbook written by a program (not saved by Excel) has none, and the cell would
    silently read as empty.
    """
    with zipfile.ZipFile(path) as archive:
        parts = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        if not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in parts):
            return []
    from openpyxl import load_workbook

    formulas = load_workbook(path, read_only=True, data_only=False)
    problems: list[Problem] = []
    try:
        for worksheet, sheet in zip(formulas.worksheets, sheets, strict=True):
            for row_index, row in enumerate(worksheet.iter_rows(values_only=True)):
                for column, value in enumerate(row):
                    if not (isinstance(value, str) and value.startswith("=")):
                        continue
                    values = [sheet.header, *sheet.rows]
                    computed = values[row_index] if row_index < len(values) else []
                    if column >= len(computed) or computed[column] is None:
                        message = (
                            f"formula {value} has no computed value in the file: open the "
                            "workbook in Excel (or LibreOffice) and save it, or type the value"
                        )
                        problems.append(Problem((), message, **sheet.place(row_index - 1, column)))
    finally:
        formulas.close()
    return problems


def _sheet(name: str, rows: Any, source: str) -> Sheet:
    values = [list(row) for row in rows]
    while values and all(cell in (None, "") for cell in values[-1]):
        values.pop()
    header = values[0] if values else []

    def place(row: int | None, column: int | None) -> Place:
        if row is None:
            return {"file": source, "sheet": name}
        from openpyxl.utils import get_column_letter

        number = row + 2
        letter = get_column_letter((column or 0) + 1)
        return {
            "file": source,
            "sheet": name,
            "cell": f"{letter}{number}" if column is not None else f"row {number}",
            "line": number,
            "column": (column or 0) + 1,
        }

    return Sheet(name, header, values[1:], place)


def write_workbook(
    scenario: Scenario, path: str | Path, notes: bool = False, include_empty: bool = False
) -> Path:
    """Writes a scenario as a workbook, atomically.

    Args:
        scenario: The scenario.
        path: The ``.xlsx`` file to write.
        notes: Add a note to every header cell (meaning, unit, allowed range) and data
            validation to the cells (id lists, choices, number ranges): for workbooks people
            fill in.
        include_empty: Also write the tables that have no rows (their header only).

    Returns:
        The path written.

    Raises:
        ScenarioError: openpyxl is not installed.
    """
    try:
        from openpyxl import Workbook
    except ImportError:
        raise _openpyxl_missing(str(path)) from None
    workbook = Workbook()
    for default in list(workbook.worksheets):
        workbook.remove(default)
    tables = scenario_tables(scenario, include_empty=include_empty)
    for rows in tables:
        worksheet = workbook.create_sheet(rows.name)
        _fill(worksheet, rows)
        if notes:
            _annotate(worksheet, rows, tables)
    return write_atomic(path, workbook.save)


def _fill(worksheet: Worksheet, rows: TableRows) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    worksheet.append(rows.header)
    for row in rows.rows:
        worksheet.append(row)
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    for index, name in enumerate(rows.header, start=1):
        width = max(
            [
                len(str(name)),
                *(len(_shown(row[index - 1])) for row in rows.rows if index <= len(row)),
            ]
        )
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 48)
    for cells in worksheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _annotate(worksheet: Worksheet, rows: TableRows, tables: Sequence[TableRows]) -> None:
    """Adds header notes and data validation from the schema."""
    from openpyxl.comments import Comment

    table = rows.table
    if table is None:
        _annotate_settings(worksheet, rows)
        return
    last = len(rows.rows) + 1 + _VALIDATED_ROWS
    columns = {column.name: column for column in table.columns}
    for index, name in enumerate(rows.header, start=1):
        cell = worksheet.cell(row=1, column=index)
        column = columns.get(str(name))
        if column is not None:
            cell.comment = Comment(_note(column), "flexsupply", width=320, height=160)
            _validate(worksheet, index, last, column, tables)
        elif isinstance(name, int):
            text = f"Period {name}. {table.doc}".strip()
            cell.comment = Comment(text, "flexsupply", width=320, height=120)
            _number_rule(worksheet, index, last, "decimal", table.bounds)
        else:
            text = f"Which {name} this row belongs to (it must be in its own sheet)."
            cell.comment = Comment(text, "flexsupply", width=240, height=80)
            _id_rule(worksheet, index, last, str(name), table, tables)


def _annotate_settings(worksheet: Worksheet, rows: TableRows) -> None:
    from openpyxl.comments import Comment

    columns = {column.name: column for column in scenario_layout().settings}
    for number, row in enumerate(rows.rows, start=2):
        column = columns.get(str(row[0]))
        if column is not None:
            cell = worksheet.cell(row=number, column=1)
            cell.comment = Comment(_note(column), "flexsupply", width=320, height=160)


def _note(column: Column) -> str:
    """Returns a header note: the field's docstring, then what values it allows."""
    allowed = {
        "integer": "a whole number",
        "number": "a number",
        "bool": "TRUE or FALSE",
        "date": "a date",
        "text_list": "ids separated by commas",
    }.get(column.kind, "text")
    if column.choices:
        allowed = "one of " + ", ".join(column.choices)
    limits = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    ranges = [f"{limits[name]} {_number(value)}" for name, value in column.bounds.items()]
    if ranges:
        allowed += " " + " and ".join(ranges)
    need = "Required." if column.required else "Optional: leave empty for the default."
    return f"{' '.join(column.doc.split())}\n\nAllowed: {allowed}. {need}"


def _number(value: float) -> str:
    return f"{int(value):,}" if value.is_integer() else f"{value:g}"


def _validate(
    worksheet: Worksheet, index: int, last: int, column: Column, tables: Sequence[TableRows]
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.choices or column.kind == "bool":
        choices = column.choices or ("TRUE", "FALSE")
        rule = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
        _add(worksheet, rule, index, last)
    elif column.kind in {"number", "integer"}:
        _number_rule(
            worksheet,
            index,
            last,
            "whole" if column.kind == "integer" else "decimal",
            column.bounds,
        )
    elif column.name == "product":
        _id_rule(worksheet, index, last, column.name, None, tables)


def _number_rule(
    worksheet: Worksheet,
    index: int,
    last: int,
    kind: Literal["whole", "decimal"],
    bounds: dict[str, float],
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    if low is not None and high is not None:
        rule = DataValidation(
            type=kind, operator="between", formula1=f"{low:g}", formula2=f"{high:g}"
        )
    elif low is not None:
        rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{low:g}")
    elif high is not None:
        rule = DataValidation(type=kind, operator="lessThanOrEqual", formula1=f"{high:g}")
    else:
        return
    rule.allow_blank = True
    rule.error = "Allowed: " + " and ".join(f"{name} {value:g}" for name, value in bounds.items())
    _add(worksheet, rule, index, last)


def _id_rule(
    worksheet: Worksheet,
    index: int,
    last: int,
    name: str,
    table: Table | None,
    tables: Sequence[TableRows],
) -> None:
    """Limits a key column to the ids of the sheet they must be in."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    source = _ID_SOURCES.get(name) or _ID_SOURCES_BY_TABLE.get(name)
    if source is None or (table is not None and table.name == source[0]):
        return
    target = next((rows for rows in tables if rows.name == source[0]), None)
    if target is None or source[1] not in target.header:
        return
    letter = get_column_letter(target.header.index(source[1]) + 1)
    end = len(target.rows) + 1 + _VALIDATED_ROWS
    rule = DataValidation(
        type="list", formula1=f"{source[0]}!${letter}$2:${letter}${end}", allow_blank=True
    )
    rule.error = f"Not in sheet {source[0]!r}"
    _add(worksheet, rule, index, last)


def _add(worksheet: Worksheet, rule: Any, index: int, last: int) -> None:
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(index)
    rule.add(f"{letter}2:{letter}{last}")
    worksheet.add_data_validation(rule)


__all__ = ["INSTALL", "SETTINGS", "SUFFIXES", "read_workbook", "write_workbook"]
