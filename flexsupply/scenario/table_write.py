"""Writing a scenario as tables (``table_layout``): the rows of a workbook or a CSV folder.

The inverse of ``table_read``: reading the tables back gives an equal scenario. Fields left at
their defaults stay empty cells; a block whose fields all keep their defaults is written with
them spelt out (or, in the settings, as its name alone), so that it is not lost.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.table_layout import (
    SETTINGS,
    SETTINGS_HEADER,
    Column,
    Table,
    scenario_layout,
)

Path = tuple[str, ...]


@dataclass(frozen=True)
class TableRows:
    """One table to write: its name, header and rows of cell values."""

    name: str
    """Sheet name (CSV file stem)."""
    header: list[Any]
    """Column names; periods tables have the period numbers 1..T as ints."""
    rows: list[list[Any]]
    """Cell values: text, numbers, true/false, dates, or None for an empty cell."""
    table: Table | None
    """The layout of the table (None for the settings)."""


def scenario_tables(scenario: Scenario, include_empty: bool = False) -> list[TableRows]:
    """Returns the scenario as tables: the settings first, then the tables in layout order.

    Args:
        scenario: The scenario to write.
        include_empty: Also return tables without rows (their header only) and every setting
            (empty when it keeps its default), e.g. for a template a planner fills in; otherwise
            only the settings given, the required tables and tables with rows are returned.

    Returns:
        One ``TableRows`` per sheet.
    """
    layout = scenario_layout()
    data = _dump(scenario)
    periods = scenario.horizon.periods
    settings: list[list[Any]] = []
    for column in layout.settings:
        value = _get(data, column.path)
        if value is not None or include_empty:
            settings.append([column.name, _cell(value, column)])
    settings += [[".".join(path), None] for path in layout.blocks if _get(data, path) == {}]
    result = [TableRows(SETTINGS, list(SETTINGS_HEADER), settings, None)]
    owners: dict[str, list[tuple[tuple[str, ...], Any]]] = {"": [((), data)]}
    for table in layout.tables:
        rows, owners[table.name] = _rows(table, owners.get(table.parent or "", []))
        if table.kind == "periods":
            width = max([periods, *(len(row) - len(table.key_columns) for row in rows)])
            header: list[Any] = [*table.key_columns, *range(1, width + 1)]
        else:
            header = [*table.key_columns, *(column.name for column in table.columns)]
        if rows or include_empty or (table.required and table.parent is None):
            result.append(TableRows(table.name, header, rows, table))
    return result


def _rows(
    table: Table, owners: list[tuple[tuple[str, ...], Any]]
) -> tuple[list[list[Any]], list[tuple[tuple[str, ...], Any]]]:
    """Returns a table's rows and its items with their keys (for the child tables)."""
    rows: list[list[Any]] = []
    items: list[tuple[tuple[str, ...], Any]] = []
    for keys, owner in owners:
        value = _get(owner, table.path)
        if value is None:
            continue
        if table.kind == "periods":
            if table.mapping:
                rows += [[*keys, key, *map(_tidy, numbers)] for key, numbers in value.items()]
            elif isinstance(value, list):
                rows.append([*keys, *map(_tidy, value)])
            continue
        entries = list(value.items()) if table.mapping else [(None, item) for item in value]
        for number, (key, item) in enumerate(entries, start=1):
            own = key if table.mapping else _item_key(item, table.item_key, number)
            cells = [_cell(_get(item, column.path), column) for column in table.columns]
            rows.append([*keys, *([key] if table.mapping else []), *cells])
            items.append(((*keys, own or ""), item))
    return rows, items


def _item_key(item: dict[str, Any], field: str | None, number: int) -> str | None:
    """Returns what child rows name the item by.

    The item's key field (terms: their first product), or without one, the item's ``number``
    among its siblings.
    """
    if field is None:
        return str(number)
    value = item.get(field)
    if value is None and field == "product" and item.get("products"):
        value = item["products"][0]
    return None if value is None else str(value)


def _cell(value: Any, column: Column) -> Any:
    if value is None or (column.periods_table and isinstance(value, list)):
        return None
    if column.kind == "text_list" and isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return _tidy(value)


def _tidy(value: Any) -> Any:
    """Returns a whole float as an int (``20000`` rather than ``20000.0``); it reads back equal."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _dump(model: BaseModel) -> dict[str, Any]:
    """Returns a block as plain data without its default fields.

    A block that is not itself a default but whose fields all are (``risk: {}``) is returned with
    its fields spelt out, so that it survives the round trip through cells.
    """
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if not info.is_required() and value == info.get_default(call_default_factory=True):
            continue
        out[name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        dumped = _dump(value)
        if dumped:
            return dumped
        return {
            name: _plain(field)
            for name, field in vars(value).items()
            if field is not None and not isinstance(field, list | dict | BaseModel)
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


__all__ = ["TableRows", "scenario_tables"]
