"""Scenarios from Python objects: mappings of an ERP's values, or one data frame per table.

Database drivers return ``Decimal``, pandas returns numpy scalars and arrays and ``Timestamp``;
they are turned into plain numbers, lists and dates first, then validated by the same code as a
file (``validation``), so a problem is a ``ScenarioError`` with its field path (and, for frames,
its table, row and column), never a raw pydantic error.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Mapping, Sequence
from typing import Any

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.table_layout import SETTINGS, SETTINGS_HEADER
from flexsupply.scenario.table_read import Place, Sheet, read_tables
from flexsupply.scenario.validation import Loc, validate_data

_NOT_A_MAPPING = "expected a mapping of scenario blocks (horizon, products, suppliers, …)"


def plain(value: Any) -> Any:
    """Returns ``value`` as plain Python data.

    Mappings become dicts, tuples and arrays lists, ``Decimal`` an int when whole (else a
    float), numpy scalars their Python value, pandas ``Timestamp`` a datetime and pandas'
    missing values None. Other values are returned as they are, for validation to judge.
    """
    if _is_missing(value):  # pandas' NaT is a datetime, so this comes first
        return None
    if value is None or isinstance(value, str | bool | int | float | datetime.date):
        return value
    if isinstance(value, decimal.Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, Mapping):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    module = type(value).__module__.split(".")[0]
    if module in {"numpy", "pandas"}:
        return _numpy_or_pandas(value)
    return value


def _numpy_or_pandas(value: Any) -> Any:
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "tolist"):  # arrays, Series, numpy scalars
        return plain(value.tolist())
    if hasattr(value, "item"):
        return plain(value.item())
    return value


def _is_missing(value: Any) -> bool:
    """Returns whether ``value`` is pandas' NA or NaT (a float NaN is a value, judged later)."""
    return type(value).__name__ in {"NAType", "NaTType"}


def scenario_from_dict(data: Mapping[str, Any], source: str = "<data>") -> Scenario:
    """Validates a scenario given as Python data (the structure of a YAML file).

    Args:
        data: The scenario blocks; values may be ``Decimal``, numpy or pandas scalars and
            arrays, dates.
        source: Name of the data in the error summary.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: every problem found, each with its field path.
    """
    converted = plain(data)
    if not isinstance(converted, dict):
        raise ScenarioError([Problem((), _NOT_A_MAPPING)], source)

    def locate(loc: Loc, message: str, at_key: bool) -> Problem:
        return Problem(loc, message)

    scenario, problems = validate_data(converted, locate)
    if scenario is None:
        raise ScenarioError(problems, source)
    return scenario


def scenario_from_frames(
    frames: Mapping[str, Any], settings: Mapping[str, Any] | None = None
) -> Scenario:
    """Validates a scenario given as one data frame per table, in the workbook's layout.

    Args:
        frames: Table name → DataFrame (or a list of row mappings), with the columns of the
            workbook's sheet of that name (``products``, ``suppliers``, ``supplier_terms``, …;
            see ``docs/guides/spreadsheets.md``). Missing values (NaN, None) are empty cells.
        settings: The settings sheet as a mapping, e.g. ``{"horizon.periods": 8}``; or give a
            ``settings`` frame with ``setting`` and ``value`` columns.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: every problem found, each naming its table, row (the frame's index
            label) and column, and its field path.
    """
    sheets = [_frame_sheet(name, frame) for name, frame in frames.items()]
    if settings is not None:
        rows = [[key, value] for key, value in settings.items()]
        sheets.append(_rows_sheet(SETTINGS, list(SETTINGS_HEADER), rows, list(settings)))
    return read_tables(sheets, "data frames", lambda name: {"sheet": name})


def _frame_sheet(name: str, frame: Any) -> Sheet:
    if hasattr(frame, "columns") and hasattr(frame, "to_dict"):
        split = frame.to_dict(orient="split")
        header = [plain(column) for column in split["columns"]]
        return _rows_sheet(name, header, split["data"], list(split["index"]))
    records = list(frame) if isinstance(frame, Sequence) else []
    header = list(dict.fromkeys(key for record in records for key in record))
    rows = [[record.get(key) for key in header] for record in records]
    return _rows_sheet(name, header, rows, list(range(len(rows))))


def _rows_sheet(name: str, header: list[Any], rows: list[Any], labels: list[Any]) -> Sheet:
    cleaned = [[_cell(value) for value in row] for row in rows]

    def place(row: int | None, column: int | None) -> Place:
        if row is None:
            return {"sheet": name}
        where = "header" if row < 0 else f"row {labels[row]!s}"
        if column is not None and column < len(header):
            where += f", {header[column]}"
        return {"sheet": name, "cell": where, "line": row + 2, "column": (column or 0) + 1}

    return Sheet(name, header, cleaned, place)


def _cell(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


__all__ = ["plain", "scenario_from_dict", "scenario_from_frames"]
