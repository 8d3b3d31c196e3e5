"""Reading a scenario from tables (workbook sheets, CSV files, data frames) into validated data.

The tables follow ``table_layout``. Rows become the plain data a YAML file would give, and every
value remembers its cell, so that each problem, from the layout (an unknown sheet or column, a row
whose supplier does not exist) or from validation (``validation.validate_data``, the same checks
as YAML), names its sheet and cell. Every problem is reported at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.table_layout import (
    SETTINGS,
    SETTINGS_HEADER,
    Table,
    cell_value,
    number_from_text,
    scenario_layout,
)
from flexsupply.scenario.validation import Loc, validate_data

Place = dict[str, Any]
"""Where a problem is, as ``Problem`` fields: ``file``, ``line``, ``column``, ``sheet``, ``cell``."""
PlaceOf = Callable[[int | None, int | None], Place]
"""Places a cell of a sheet: (data row index, or -1 for the header, or None for the whole sheet;
column index or None)."""
Edit = Callable[[dict[str, Any]], dict[str, Any]]

_MISSING_SHEET = "missing"


@dataclass(frozen=True)
class Sheet:
    """One table as read: its header, its data rows and how to name its cells."""

    name: str
    header: list[Any]
    rows: list[list[Any]]
    place: PlaceOf


def read_tables(
    sheets: Sequence[Sheet],
    source: str,
    missing: Callable[[str], Place],
    edit: Edit | None = None,
) -> Scenario:
    """Validates a scenario given as tables.

    Args:
        sheets: The tables found (a workbook's sheets, a folder's CSV files, data frames).
        source: Name of the whole input in the error summary.
        missing: Places a problem about a sheet that is not there.
        edit: Returns changed data before it is validated (``--set`` overrides).

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: every problem found, each naming its sheet and cell.
    """
    reader = _Reader(missing)
    data = reader.read(sheets)
    if edit is not None:
        data = edit(data)
    scenario, problems = validate_data(data, reader.locate)
    problems = reader.problems + problems
    if scenario is not None and not problems:
        return scenario
    order = {name: index for index, name in enumerate(scenario_layout().sheet_names)}

    def position(problem: Problem) -> tuple[int, int, int]:
        sheet = problem.sheet or (problem.file or "").rsplit("/", 1)[-1].removesuffix(".csv")
        return (order.get(sheet, len(order)), problem.line or 0, problem.column or 0)

    raise ScenarioError(sorted(problems, key=position), source)


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class _RowAt:
    """One data row being read: its table, sheet, index, cells and the header's columns."""

    table: Table
    sheet: Sheet
    index: int
    cells: list[Any]
    columns: dict[Any, int]

    def place(self, column: int | None) -> Place:
        """Returns where the cell of ``column`` in this row is."""
        return self.sheet.place(self.index, column)


class _Reader:
    """Turns sheets into scenario data, remembering the cell of every value."""

    def __init__(self, missing: Callable[[str], Place]) -> None:
        self.missing = missing
        self.problems: list[Problem] = []
        self.positions: dict[Loc, Place] = {}
        self.hints: dict[Loc, str] = {}
        self.items: dict[str, dict[tuple[str, ...], tuple[Any, Loc]]] = {}
        self.layout = scenario_layout()

    def problem(self, place: Place, message: str, loc: Loc = ()) -> None:
        self.problems.append(Problem(loc, message, **place))

    def read(self, sheets: Sequence[Sheet]) -> dict[str, Any]:
        by_name: dict[str, Sheet] = {}
        known = self.layout.sheet_names
        for sheet in sheets:
            if sheet.name in known:
                by_name[sheet.name] = sheet
            else:
                message = f"unknown sheet {sheet.name!r}{_suggest(sheet.name, known)}; sheets: "
                self.problem(sheet.place(None, None), message + ", ".join(known))
        data: dict[str, Any] = {}
        settings = by_name.get(SETTINGS)
        if settings is None:
            self.positions[()] = self.missing(SETTINGS)
        else:
            self.positions[()] = settings.place(None, None)
            self._settings(settings, data)
        self.items[""] = {(): (data, ())}
        for table in self.layout.tables:
            found = by_name.get(table.name)
            if found is not None:
                self._table(table, found)
            elif table.required and table.parent is None:
                self.positions[table.path] = {**self.missing(table.name), _MISSING_SHEET: True}
        return data

    def locate(self, loc: Loc, message: str, at_key: bool) -> Problem:
        """Places a validation problem at the cell of ``loc`` (or of its nearest parent)."""
        if message == "required field is missing" and loc in self.hints:
            message = self.hints[loc]
        for depth in range(len(loc), -1, -1):
            place = self.positions.get(loc[:depth])
            if place is not None:
                place = dict(place)
                if place.pop(_MISSING_SHEET, False) and message == "required field is missing":
                    message = "required sheet is missing"
                return Problem(loc, message, **place)
        return Problem(loc, message)

    def _settings(self, sheet: Sheet, data: dict[str, Any]) -> None:
        columns = {column.name: column for column in self.layout.settings}
        blocks = {".".join(path): path for path in self.layout.blocks}
        if [str(cell).strip() if cell else "" for cell in sheet.header[:2]] != list(
            SETTINGS_HEADER
        ):
            self.problem(sheet.place(-1, None), f"the header must be {', '.join(SETTINGS_HEADER)}")
        for index, extra in enumerate(sheet.header[2:], start=2):
            if extra not in (None, ""):
                self.problem(sheet.place(-1, index), f"unknown column {extra!r}; settings has two")
        seen: set[str] = set()
        for row_index, row in enumerate(sheet.rows):
            key_cell = row[0] if row else None
            value = row[1] if len(row) > 1 else None
            if key_cell in (None, "") and value in (None, ""):
                continue
            key = str(key_cell).strip() if key_cell is not None else ""
            if key in seen:
                self.problem(sheet.place(row_index, 0), f"setting {key!r} appears twice")
                continue
            seen.add(key)
            if key in blocks:
                path: Loc = blocks[key]
                _ensure(data, blocks[key])
                if value not in (None, ""):
                    message = f"{key!r} names a block and takes no value; give its fields"
                    self.problem(sheet.place(row_index, 1), f"{message}, e.g. {key}.<field>")
            elif key in columns:
                path = columns[key].path
                converted = cell_value(value, columns[key].kind)
                if converted is not None:
                    _set(data, columns[key].path, converted)
                self.positions[path] = sheet.place(row_index, 1)
            else:
                known = [*columns, *blocks]
                self.problem(
                    sheet.place(row_index, 0), f"unknown setting {key!r}{_suggest(key, known)}"
                )
                continue
            for depth in range(1, len(path)):
                self.positions.setdefault(path[:depth], sheet.place(row_index, 0))

    def _table(self, table: Table, sheet: Sheet) -> None:
        columns = self._header(table, sheet)
        if columns is None:
            return
        keys = [columns[name] for name in table.parent_keys]
        index: dict[tuple[str, ...], tuple[Any, Loc]] = {}
        self.items[table.name] = index
        parents = self.items.get(table.parent or "", {})
        for row_index, row in enumerate(sheet.rows):
            if all(cell in (None, "") for cell in row):
                continue
            key = tuple(str(cell_value(_at(row, i), "text") or "") for i in keys)
            parent = self._parent(table, sheet, row_index, key, keys, parents)
            if parent is None:
                continue
            owner, owner_loc = parent
            at = _RowAt(table, sheet, row_index, row, columns)
            if table.kind == "periods":
                self._periods(at, owner, owner_loc)
            else:
                self._row(at, owner, owner_loc, key, index)

    def _header(self, table: Table, sheet: Sheet) -> dict[Any, int] | None:
        """Returns the column index of each known header; reports unknown and missing ones."""
        known: list[str] = [*table.key_columns, *(c.name for c in table.columns)]
        columns: dict[Any, int] = {}
        width = max([len(sheet.header), *(len(row) for row in sheet.rows)])
        for position in range(width):
            cell = _at(sheet.header, position)
            if cell in (None, ""):
                if any(_at(row, position) not in (None, "") for row in sheet.rows):
                    self.problem(sheet.place(-1, position), "this column has values but no header")
                continue
            name = str(cell).strip()
            if table.kind == "periods" and name not in table.key_columns:
                period = number_from_text(name)
                if isinstance(period, int) and period >= 1 and period not in columns:
                    columns[period] = position
                    continue
                if period in columns:
                    self.problem(sheet.place(-1, position), f"period {period} appears twice")
                    continue
                self.problem(
                    sheet.place(-1, position),
                    f"unknown column {name!r}: after {', '.join(table.key_columns) or 'nothing'} "
                    "come the periods 1, 2, 3, …",
                )
            elif name in columns:
                self.problem(sheet.place(-1, position), f"column {name!r} appears twice")
            elif name in known:
                columns[name] = position
            else:
                self.problem(
                    sheet.place(-1, position),
                    f"unknown column {name!r}{_suggest(name, known)}; columns: {', '.join(known)}",
                )
        missing = [name for name in table.key_columns if name not in columns]
        if missing:
            self.problem(sheet.place(-1, None), f"missing key column {', '.join(missing)}")
            return None
        periods = {key for key in columns if isinstance(key, int)}
        gaps = sorted(set(range(1, max(periods, default=0) + 1)) - periods)
        if gaps:
            message = "the periods must run 1, 2, 3, … without a gap; missing: "
            self.problem(sheet.place(-1, None), message + ", ".join(map(str, gaps)))
            return None
        return columns

    def _parent(
        self,
        table: Table,
        sheet: Sheet,
        row_index: int,
        key: tuple[str, ...],
        keys: list[int],
        parents: dict[tuple[str, ...], tuple[Any, Loc]],
    ) -> tuple[Any, Loc] | None:
        found = parents.get(key)
        if found is not None:
            return found
        for depth, (name, value) in enumerate(zip(table.parent_keys, key, strict=True)):
            if not any(known[: depth + 1] == key[: depth + 1] for known in parents):
                cell = sheet.place(row_index, keys[depth])
                if not value:
                    self.problem(cell, f"{name} is empty: this row belongs to no {name}")
                else:
                    names = sorted(
                        {known[depth] for known in parents if known[:depth] == key[:depth]}
                    )
                    where = table.parent or ""
                    self.problem(
                        cell,
                        f"unknown {name} {value!r}{_suggest(value, names)}: not in sheet {where!r}",
                    )
                return None
        return None

    def _row(
        self,
        at: _RowAt,
        owner: Any,
        owner_loc: Loc,
        key: tuple[str, ...],
        index: dict[tuple[str, ...], tuple[Any, Loc]],
    ) -> None:
        table, row, columns = at.table, at.cells, at.columns
        item: dict[str, Any] = {}
        if table.mapping:
            assert table.mapping_key is not None
            mapping_column = columns[table.mapping_key]
            own = str(cell_value(_at(row, mapping_column), "text") or "")
            if not own:
                self.problem(at.place(mapping_column), f"{table.mapping_key} is empty")
                return
            container = _ensure(owner, table.path)
            if own in container:
                message = f"{table.mapping_key} {own!r} has a row above already"
                self.problem(at.place(mapping_column), message)
                return
            container[own] = item
            loc: Loc = (*owner_loc, *table.path, own)
            self.positions[loc] = at.place(mapping_column)
            index[(*key, own)] = (item, loc)
        else:
            container = _ensure_list(owner, table.path)
            loc = (*owner_loc, *table.path, len(container))
            container.append(item)
            self.positions[loc] = at.place(0)
            for own in _item_keys(table, row, columns, len(container)):
                index.setdefault((*key, own), (item, loc))
        for path in table.required_blocks:
            _ensure(item, path)
        for column in table.columns:
            position = columns.get(column.name)
            if position is None:
                continue
            self.positions[(*loc, *column.path)] = at.place(position)
            value = cell_value(_at(row, position), column.kind)
            if value is not None:
                _set(item, column.path, value)
        for child in self.layout.tables:
            if child.parent == table.name and child.required:
                self.hints[(*loc, *child.path)] = (
                    f"required: sheet {child.name!r} has no rows for this {table.key_column}"
                )

    def _periods(self, at: _RowAt, owner: Any, owner_loc: Loc) -> None:
        table, row, columns = at.table, at.cells, at.columns
        periods = sorted(key for key in columns if isinstance(key, int))
        values = [cell_value(_at(row, columns[period]), "number") for period in periods]
        while values and values[-1] is None:
            values.pop()
        loc: Loc = (*owner_loc, *table.path)
        first = columns[table.key_columns[0]] if table.key_columns else columns.get(1, 0)
        if table.mapping:
            assert table.mapping_key is not None
            own = str(cell_value(_at(row, columns[table.mapping_key]), "text") or "")
            if not own:
                self.problem(at.place(first), f"{table.mapping_key} is empty")
                return
            container = _ensure(owner, table.path)
            target, name, loc = container, own, (*loc, own)
            first = columns[table.mapping_key]
        else:
            target, name = _ensure(owner, table.path[:-1]), table.path[-1]
        if name in target:
            message = (
                f"{name} has a row above already"
                if table.mapping
                else f"{name} is given twice: as one number in sheet {table.parent!r} and per "
                "period here"
            )
            self.problem(at.place(first), message)
            return
        target[name] = values
        self.positions[loc] = at.place(first)
        for period in periods:
            self.positions[(*loc, period - 1)] = at.place(columns[period])


def _item_keys(table: Table, row: list[Any], columns: dict[Any, int], number: int) -> list[str]:
    """Returns the keys child rows may name a row's item by.

    The item's ``item_key`` field (any of its products for terms that list several), or its
    ``number`` among its siblings when it has no key field.
    """
    if table.item_key is None:
        return [str(number)]
    fields = (table.item_key, "products") if table.item_key == "product" else (table.item_key,)
    keys: list[str] = []
    for field in fields:
        if field not in columns:
            continue
        value = cell_value(_at(row, columns[field]), "text_list" if field == "products" else "text")
        if isinstance(value, list):
            keys += [str(item) for item in value]
        elif value is not None:
            keys.append(str(value))
    return keys


def _at(row: list[Any], position: int) -> Any:
    return row[position] if position < len(row) else None


def _ensure(data: Any, path: Loc) -> Any:
    for part in path:
        data = data.setdefault(part, {})
    return data


def _ensure_list(data: Any, path: Loc) -> list[Any]:
    parent = _ensure(data, path[:-1])
    container: list[Any] = parent.setdefault(path[-1], [])
    return container


def _set(data: dict[str, Any], path: Loc, value: Any) -> None:
    _ensure(data, path[:-1])[path[-1]] = value


__all__ = ["Place", "PlaceOf", "Sheet", "read_tables"]
