"""The table layout of a scenario, derived from the schema.

The layout is the sheets of a workbook, the files of a CSV folder, the data frames of
``scenario_from_frames``.

One walk over the pydantic blocks decides where every field goes:

- a plain field (number, text, choice, date, true/false, a list of ids) is a column of the table
  of the block it is in, or a row of the two-column ``settings`` sheet for the top-level blocks
  (``horizon.periods``, ``cash.initial``); fields of nested blocks are dotted
  (``payment.upfront_share``);
- a list of blocks (suppliers, terms, presale orders) or a mapping by product (signals) is a
  table, one row per item, a child table first with its parents' keys (``supplier``, ``product``);
- a list of numbers per period (capacity by period, demand per product) is a periods table: the
  keys, then one column per period ``1..T``.

A field added to the schema therefore gets its column, or its table, without reader code. Only
the sheet names and the parent key columns are named here, where the field name would read badly.
"""

from __future__ import annotations

import datetime
import enum
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from flexsupply.scenario.schema import Scenario

Path = tuple[str, ...]
Kind = Literal["text", "number", "integer", "bool", "date", "choice", "text_list"]

SETTINGS = "settings"
"""The two-column sheet of the top-level blocks: ``setting`` and ``value``."""
SETTINGS_HEADER = ("setting", "value")

_SHEET_NAMES: dict[Path, str] = {
    ("suppliers", "capacity"): "capacity",
    ("suppliers", "terms"): "supplier_terms",
    ("suppliers", "terms", "discount_tiers"): "price_tiers",
    ("suppliers", "terms", "unit_cost"): "term_prices",
    ("suppliers", "terms", "discount_tiers", "unit_cost"): "tier_prices",
    ("products", "bom"): "bom",
    ("cash", "loans"): "loans",
    ("materials", "suppliers"): "material_suppliers",
    ("materials", "suppliers", "unit_cost"): "material_prices",
    ("materials", "suppliers", "capacity"): "material_capacity",
    ("materials", "suppliers", "discount_tiers"): "material_price_tiers",
    ("materials", "suppliers", "discount_tiers", "unit_cost"): "material_tier_prices",
    ("demand", "units"): "demand",
    ("demand", "scenarios"): "demand_scenarios",
    ("demand", "scenarios", "units"): "scenario_demand",
    ("demand", "signals", "products"): "signals",
    ("demand", "signals", "products", "channels", "search", "impressions"): "search_impressions",
    ("demand", "signals", "products", "channels", "search", "clicks"): "search_clicks",
    ("demand", "signals", "products", "channels", "livestreams"): "livestreams",
    ("demand", "signals", "products", "channels", "posts"): "posts",
    ("demand", "signals", "products", "profile", "weights"): "product_profile_weights",
    ("demand", "signals", "products", "events"): "product_events",
    ("demand", "signals", "events"): "events",
    ("demand", "signals", "profile", "weights"): "profile_weights",
    ("demand", "parametric", "products"): "parametric",
    ("demand", "parametric", "products", "mean"): "parametric_mean",
    ("demand", "parametric", "products", "sd"): "parametric_sd",
    ("demand", "parametric", "products", "cv"): "parametric_cv",
    ("demand", "parametric", "products", "n"): "parametric_n",
    ("demand", "parametric", "products", "p"): "parametric_p",
    ("demand", "parametric", "correlations"): "correlations",
}
"""Sheet names where the schema path would read badly; other tables join their path with ``_``."""

_KEY_COLUMNS: dict[str, str] = {
    "products": "product",
    "suppliers": "supplier",
    "supplier_terms": "product",
    "demand_scenarios": "scenario",
    "materials": "material",
    "material_suppliers": "supplier",
    "loans": "loan",
    "price_tiers": "tier",
    "material_price_tiers": "tier",
    "levers_campaigns": "campaign",
}
"""The column a child table names its parent item by; the default is the table name + ``_key``.

The value is the parent's ``item_key`` field (its id, name, supplier or product), or, for items
with none of them (price tiers), the item's number among its siblings: 1, 2, 3, …"""

_MAX_SHEET_NAME = 31
"""Excel refuses longer sheet names."""


@dataclass(frozen=True)
class Column:
    """One column of a table (or one row of the settings sheet)."""

    name: str
    """Header text: the field path within the row's item, dotted (``payment.upfront_share``)."""
    path: Path
    """The field path within the row's item."""
    kind: Kind
    """How cells are read: text, a number, a whole number, true/false, a date, a choice, ids."""
    doc: str
    """The field's docstring: meaning and unit."""
    choices: tuple[str, ...] = ()
    """The allowed values of a choice."""
    bounds: dict[str, float] = field(default_factory=dict)
    """Number limits from the schema: ``ge``, ``gt``, ``le``, ``lt``."""
    required: bool = False
    """The field has no default."""
    periods_table: str | None = None
    """For a number-or-list field: the periods table that holds the list form."""


@dataclass(frozen=True)
class Table:
    """One table: a sheet of a workbook, a CSV file, a data frame."""

    name: str
    """Sheet name."""
    path: Path
    """Field path from the parent's item (the root for top-level tables) to the list or mapping."""
    parent: str | None
    """The parent table; None for top-level tables (their parent is the settings)."""
    parent_keys: tuple[str, ...]
    """Leading key columns naming the parent item, outermost first."""
    kind: Literal["rows", "periods"]
    """``rows``: one row per item; ``periods``: one row per list of numbers, one column per period."""
    mapping: bool
    """The items are a mapping by key (signals by product) rather than a list."""
    mapping_key: str | None
    """The column that holds the mapping key (``product``), for mapping tables."""
    item_key: str | None
    """The field that identifies an item for child tables (``id``, ``name``, ``product``,
    ``supplier``); None: child rows name it by its number among its siblings (1, 2, …)."""
    key_column: str
    """The column child tables use to name an item of this table."""
    columns: tuple[Column, ...]
    """Field columns (rows tables); empty for periods tables."""
    required_blocks: tuple[Path, ...]
    """Paths of nested blocks every item has, even when none of their columns is filled."""
    required: bool
    """Rows must exist: for a top-level table, the sheet is required (products, suppliers); for
    a child table, every parent item needs rows (a supplier's terms)."""
    doc: str
    """The docstring of the field the table holds."""
    bounds: dict[str, float] = field(default_factory=dict)
    """Number limits of the values of a periods table (``ge`` 0 for quantities)."""

    @property
    def key_columns(self) -> tuple[str, ...]:
        """Returns the columns before the fields: parent keys, then the mapping key if any."""
        own = (self.mapping_key,) if self.mapping_key else ()
        return (*self.parent_keys, *own)


@dataclass(frozen=True)
class Layout:
    """The settings rows and the tables, parents before children."""

    settings: tuple[Column, ...]
    """Rows of the settings sheet (their ``name`` is the dotted path from the root)."""
    blocks: tuple[Path, ...]
    """Top-level block paths a settings row may name alone, to give a block whose fields all
    keep their defaults (``service``)."""
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        """Returns the table called ``name``."""
        return next(table for table in self.tables if table.name == name)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """Returns every sheet name: settings first, then the tables."""
        return (SETTINGS, *(table.name for table in self.tables))


@functools.cache
def scenario_layout() -> Layout:
    """Returns the table layout of the scenario schema (built once)."""
    walk = _Walk()
    walk.block(Scenario, (), (), None, ())
    return Layout(tuple(walk.settings), tuple(walk.blocks), tuple(walk.tables))


@dataclass(frozen=True)
class _Shape:
    form: Literal["scalar", "block", "list", "mapping", "numbers", "number_or_list", "map_numbers"]
    kind: Kind = "text"
    model: type[BaseModel] | None = None
    choices: tuple[str, ...] = ()
    bounds: dict[str, float] = field(default_factory=dict)


class _Walk:
    """Collects settings rows and tables while walking the schema blocks."""

    def __init__(self) -> None:
        self.settings: list[Column] = []
        self.blocks: list[Path] = []
        self.tables: list[Table] = []
        self._columns: dict[str, list[Column]] = {}
        self._required_blocks: dict[str, list[Path]] = {}

    def block(
        self,
        model: type[BaseModel],
        schema_path: Path,
        item_path: Path,
        table: str | None,
        parent_keys: tuple[str, ...],
        chain_required: bool = True,
    ) -> None:
        """Places every field of ``model``, met at ``item_path`` within an item of ``table``.

        ``chain_required`` says whether every block from the root down to ``model`` is required.
        """
        for name, info in model.model_fields.items():
            shape = _shape(info.annotation, info.metadata)
            path = (*item_path, name)
            where = (*schema_path, name)
            doc = info.description or ""
            if shape.form == "block" and shape.model is not None:
                if table is None and not info.is_required():
                    self.blocks.append(path)
                if info.is_required() and table is not None:
                    self._required_blocks[table].append(path)
                chain = chain_required and info.is_required()
                self.block(shape.model, where, path, table, parent_keys, chain)
            elif shape.form in {"list", "mapping"} and shape.model is not None:
                required = info.is_required() and (table is not None or chain_required)
                self._table(shape, where, path, table, parent_keys, doc, required)
            elif shape.form in {"numbers", "map_numbers"}:
                mapping = shape.form == "map_numbers"
                self._periods(where, path, table, parent_keys, doc, mapping, shape.bounds)
            else:
                periods = None
                if shape.form == "number_or_list":
                    periods = self._periods(
                        where, path, table, parent_keys, doc, False, shape.bounds
                    )
                column = Column(
                    ".".join(path),
                    path,
                    shape.kind,
                    doc,
                    shape.choices,
                    shape.bounds,
                    info.is_required(),
                    periods,
                )
                (self.settings if table is None else self._columns[table]).append(column)

    def _table(
        self,
        shape: _Shape,
        where: Path,
        path: Path,
        parent: str | None,
        parent_keys: tuple[str, ...],
        doc: str,
        required: bool,
    ) -> None:
        assert shape.model is not None
        name = _sheet_name(where)
        fields = shape.model.model_fields
        mapping = shape.form == "mapping"
        key_column = _KEY_COLUMNS.get(name, "product" if mapping else f"{name}_key")
        item_key = None
        if not mapping:
            named = (key_column,) if key_column in fields else ("id", "name", "product")
            item_key = next((k for k in named if k in fields), None)
        self._columns[name] = []
        self._required_blocks[name] = []
        position = len(self.tables)
        self.tables.append(_placeholder(name))
        own = (key_column,) if mapping else ()
        child_keys = (*parent_keys, key_column)
        self.block(shape.model, where, (), name, child_keys)
        self.tables[position] = Table(
            name,
            path,
            parent,
            parent_keys,
            "rows",
            mapping,
            own[0] if own else None,
            item_key,
            key_column,
            tuple(self._columns[name]),
            tuple(self._required_blocks[name]),
            required,
            doc,
        )

    def _periods(
        self,
        where: Path,
        path: Path,
        parent: str | None,
        parent_keys: tuple[str, ...],
        doc: str,
        mapping: bool,
        bounds: dict[str, float],
    ) -> str:
        name = _sheet_name(where)
        mapping_key = "product" if mapping else None
        self.tables.append(
            Table(
                name,
                path,
                parent,
                parent_keys,
                "periods",
                mapping,
                mapping_key,
                None,
                "",
                (),
                (),
                False,
                doc,
                bounds,
            )
        )
        return name


def cell_value(value: Any, kind: Kind) -> Any:
    """Returns a cell's value as the schema field of ``kind`` reads it (None: empty cell).

    Text in number columns becomes a number where it reads as one (CSV cells are all text);
    numbers in text columns become text (``618`` → ``'618'``); a date-time at midnight becomes a
    date; a list of ids is split at commas. Anything else is left for validation to report.
    """
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if value is None:
        return None
    if kind in {"number", "integer"} and isinstance(value, str):
        return number_from_text(value)
    if (
        kind in {"text", "choice"}
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return str(int(value)) if float(value).is_integer() else str(value)
    if kind == "text_list":
        text = value if isinstance(value, str) else str(value)
        return [part.strip() for part in text.split(",")]
    if kind == "date" and isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date()
    return value


def number_from_text(text: str) -> Any:
    """Returns ``text`` as an int or a float where it reads as one, else the text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _placeholder(name: str) -> Table:
    return Table(name, (), None, (), "rows", False, None, None, "", (), (), False, "")


def _sheet_name(where: Path) -> str:
    return _SHEET_NAMES.get(where, "_".join(where))[:_MAX_SHEET_NAME]


def _shape(annotation: Any, metadata: list[Any]) -> _Shape:
    """Returns where a field of this annotation goes (and how its cells are read)."""
    bounds = _bounds(metadata)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _shape(inner, [*metadata, *extra])
    if origin in {typing.Union, types.UnionType}:
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(options) == 1:
            return _shape(options[0], metadata)
        shapes = [_shape(option, metadata) for option in options]
        forms = {shape.form for shape in shapes}
        if forms == {"scalar", "numbers"}:
            scalar = next(shape for shape in shapes if shape.form == "scalar")
            return _Shape("number_or_list", scalar.kind, bounds=scalar.bounds)
        return _Shape("scalar", "text")
    if origin is list:
        (item,) = typing.get_args(annotation)
        inner = _shape(item, [])
        if inner.form == "block":
            return _Shape("list", model=inner.model)
        if inner.kind in {"number", "integer"}:
            return _Shape("numbers", inner.kind, bounds=inner.bounds)
        return _Shape("scalar", "text_list")
    if origin is dict:
        _, value = typing.get_args(annotation)
        inner = _shape(value, [])
        if inner.form == "block":
            return _Shape("mapping", model=inner.model)
        return _Shape("map_numbers", inner.kind, bounds=inner.bounds)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _Shape("block", model=annotation)
        if issubclass(annotation, enum.Enum):
            return _Shape("scalar", "choice", choices=tuple(str(m.value) for m in annotation))
        if issubclass(annotation, bool):
            return _Shape("scalar", "bool")
        if issubclass(annotation, int):
            return _Shape("scalar", "integer", bounds=bounds)
        if issubclass(annotation, float):
            return _Shape("scalar", "number", bounds=bounds)
        if issubclass(annotation, datetime.date):
            return _Shape("scalar", "date")
    return _Shape("scalar", "text")


def _bounds(metadata: list[Any]) -> dict[str, float]:
    """Returns the ``ge``/``gt``/``le``/``lt`` limits in pydantic field metadata."""
    bounds: dict[str, float] = {}
    for item in metadata:
        for inner in getattr(item, "metadata", [item]):
            for name in ("ge", "gt", "le", "lt"):
                value = getattr(inner, name, None)
                if isinstance(value, int | float):
                    bounds[name] = float(value)
    return bounds


__all__ = [
    "SETTINGS",
    "SETTINGS_HEADER",
    "Column",
    "Kind",
    "Layout",
    "Table",
    "cell_value",
    "number_from_text",
    "scenario_layout",
]
