"""A scenario as a folder of CSV files: the tables of a workbook, one ``<sheet>.csv`` each.

Files are UTF-8 (a byte-order mark, as Excel writes it, is accepted), comma-separated, with a
header row. Problems name the file, line and column (``season/suppliers.csv:7:4``).
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

from flexsupply.errors import Problem, ScenarioError
from flexsupply.files import write_text_atomic
from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.table_layout import scenario_layout
from flexsupply.scenario.table_read import Edit, Place, Sheet, read_tables
from flexsupply.scenario.table_write import scenario_tables


def read_csv_folder(folder: str | Path, edit: Edit | None = None) -> Scenario:
    """Reads and validates a scenario given as a folder of CSV files.

    Args:
        folder: The folder; every ``*.csv`` in it is a table (other files are ignored).
        edit: Returns changed data before it is validated (``--set`` overrides).

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: a file cannot be read, or the tables have problems; each problem names
            its file, line and column.
    """
    folder = Path(folder)
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.csv")):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem((), "file is not UTF-8 text", str(path)))
            continue
        except OSError as error:
            reason = error.strerror or str(error)
            problems.append(Problem((), f"cannot read file: {reason}", str(path)))
            continue
        try:
            sheets.append(_sheet(path, text))
        except csv.Error as error:
            problems.append(Problem((), f"not valid CSV: {error}", str(path)))
    if problems:
        raise ScenarioError(problems, str(folder))
    return read_tables(
        sheets, str(folder), lambda name: {"file": str(folder / f"{name}.csv")}, edit
    )


def _sheet(path: Path, text: str) -> Sheet:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[Any]] = []
    lines: list[int] = []
    start = 1
    for row in reader:
        rows.append(list(row))
        lines.append(start)
        start = reader.line_num + 1
    while rows and all(cell.strip() == "" for cell in rows[-1]):
        rows.pop()
        lines.pop()
    file = str(path)

    def place(row: int | None, column: int | None) -> Place:
        if row is None:
            return {"file": file}
        line = lines[row + 1] if row + 1 < len(lines) else row + 2
        return {"file": file, "line": line, "column": None if column is None else column + 1}

    return Sheet(path.stem, rows[0] if rows else [], rows[1:], place)


def write_csv_folder(scenario: Scenario, folder: str | Path) -> list[Path]:
    """Writes a scenario as ``<table>.csv`` files into ``folder`` (created if needed).

    Each file is written atomically. Tables the scenario does not use get no file, and a file
    of such a table left from an earlier scenario is removed (it would be read back as part of
    this one); files that are no table of the layout are left alone.

    Returns:
        The paths written, settings first.
    """
    folder = Path(folder)
    written: list[Path] = []
    tables = scenario_tables(scenario)
    unused = set(scenario_layout().sheet_names) - {table.name for table in tables}
    for name in sorted(unused):
        (folder / f"{name}.csv").unlink(missing_ok=True)
    for table in tables:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([_text(cell) for cell in table.header])
        writer.writerows([_text(cell) for cell in row] for row in table.rows)
        written.append(write_text_atomic(folder / f"{table.name}.csv", buffer.getvalue()))
    return written


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


__all__ = ["read_csv_folder", "write_csv_folder"]
