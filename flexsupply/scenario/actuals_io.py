"""Reading actuals files, YAML or CSV, so that every problem points at its file and line.

The YAML form mirrors ``Actuals`` field by field (``docs/guides/replan.md``). The CSV form is one
record per row, for ERP exports, with the header
``record,value,product,supplier,period,arrival_period,units,amount``:

| record | columns used |
|---|---|
| ``scenario`` | ``value``: the scenario's name |
| ``as_of`` | ``period`` |
| ``cash`` | ``amount`` |
| ``stock`` | ``product``, ``units`` |
| ``sale`` | ``product``, ``period``, ``units``; ``value`` ``sold_out`` when the style ran out |
| ``presale_taken`` | ``product``, ``period``, ``units``, ``amount`` (deposits collected) |
| ``presale_shipped`` | ``product``, ``period``, ``units``, ``amount`` (balances collected) |
| ``order`` | ``supplier``, ``product``, ``period``, ``arrival_period``, ``units``, ``amount`` (paid) |
| ``return`` | ``product``, ``period``, ``units`` |
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.actuals import Actuals, check_actuals
from flexsupply.scenario.reader import parse
from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.validation import problems_from_pydantic
from flexsupply.scenario.yaml_io import YamlLocator

CSV_COLUMNS = (
    "record",
    "value",
    "product",
    "supplier",
    "period",
    "arrival_period",
    "units",
    "amount",
)
"""Header of the CSV form of an actuals file."""

Loc = tuple[str | int, ...]


def load_actuals(path: str | Path, scenario: Scenario) -> Actuals:
    """Reads an actuals file (``.csv``: the CSV form, else YAML) and checks it against a scenario.

    Args:
        path: the actuals file.
        scenario: the scenario the actuals are for.

    Returns:
        The validated ``Actuals``.

    Raises:
        ScenarioError: the file cannot be read, or has problems (each with file, line and field
            path), or is for another scenario.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem((), f"cannot read file: {error}", source)], source) from None
    if Path(path).suffix.lower() == ".csv":
        return loads_actuals_csv(text, scenario, source)
    return loads_actuals(text, scenario, source)


def loads_actuals(text: str, scenario: Scenario, source: str = "<string>") -> Actuals:
    """Validates actuals YAML text against a scenario.

    Returns:
        The validated ``Actuals``.

    Raises:
        ScenarioError: every problem found, located in the text.
    """
    root, data, problems = parse(text, source)
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        message = "expected a mapping with scenario, as_of_period, sales, orders, …"
        raise ScenarioError([Problem((), message, source, 1, 1)], source)

    locate = YamlLocator(root, data, source).locate

    try:
        actuals = Actuals.model_validate(data)
    except ValidationError as error:
        problems += problems_from_pydantic(error, data, locate)
        raise ScenarioError(problems, source) from None
    problems += [locate(p.loc, p.message, False) for p in check_actuals(actuals, scenario)]
    if problems:
        raise ScenarioError(problems, source)
    return actuals


def loads_actuals_csv(text: str, scenario: Scenario, source: str = "<string>") -> Actuals:
    """Validates actuals in the CSV form against a scenario.

    Returns:
        The validated ``Actuals``.

    Raises:
        ScenarioError: every problem found, located by line and field path.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    header = next(csv.reader(io.StringIO(text)), [])
    missing = [
        column for column in ("record", "product", "period", "units") if column not in header
    ]
    if missing:
        message = f"missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}"
        raise ScenarioError([Problem((), message, source, 1, 1)], source)
    data: dict[str, Any] = {}
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=2):
        cells = {
            k: v.strip() if k in _TEXT_COLUMNS else _number(v.strip())
            for k, v in row.items()
            if k and v is not None and v.strip()
        }
        record = str(cells.pop("record", ""))
        try:
            loc = _add_record(data, record, cells)
        except ValueError as error:
            problems.append(Problem(("record",), str(error), source, number))
            continue
        lines[loc] = number
    if problems:
        raise ScenarioError(problems, source)

    def line_of(loc: Loc) -> int | None:
        for depth in range(len(loc), 0, -1):
            if loc[:depth] in lines:
                return lines[loc[:depth]]
        return None

    def locate(loc: Loc, message: str, at_key: bool) -> Problem:
        return Problem(loc, message, source, line_of(loc))

    try:
        actuals = Actuals.model_validate(data)
    except ValidationError as error:
        found = problems_from_pydantic(error, data, locate)
        raise ScenarioError(sorted(found, key=lambda p: p.line or 0), source) from None
    found = [
        Problem(p.loc, p.message, source, line_of(p.loc)) for p in check_actuals(actuals, scenario)
    ]
    if found:
        raise ScenarioError(sorted(found, key=lambda p: p.line or 0), source)
    return actuals


_LISTS = {
    "sale": ("sales", {"product": "product", "period": "period", "units": "units"}),
    "return": ("returns", {"product": "product", "period": "period", "units": "units"}),
    "presale_taken": (
        "presale",
        {"product": "product", "period": "period", "units": "taken", "amount": "deposits"},
    ),
    "presale_shipped": (
        "presale",
        {"product": "product", "period": "period", "units": "shipped", "amount": "balances"},
    ),
    "order": (
        "orders",
        {
            "supplier": "supplier",
            "product": "product",
            "period": "period",
            "arrival_period": "arrival_period",
            "units": "units",
            "amount": "paid",
        },
    ),
}


_TEXT_COLUMNS = frozenset({"record", "value", "product", "supplier"})
"""CSV columns that hold text; every other column holds numbers."""


def _number(cell: str) -> int | float | str:
    """Returns a CSV cell of a number column as a number; text that is no number stays text.

    The schema then refuses the text with its field path, and refuses NaN and infinity.
    """
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell


def _add_record(data: dict[str, Any], record: str, cells: dict[str, Any]) -> Loc:
    """Adds one CSV record to the actuals data; returns the field path it fills.

    Raises:
        ValueError: an unknown record kind.
    """
    if record == "scenario":
        data["scenario"] = cells.get("value", "")
        return ("scenario",)
    if record == "as_of":
        data["as_of_period"] = cells.get("period")
        return ("as_of_period",)
    if record == "cash":
        data["cash"] = cells.get("amount")
        return ("cash",)
    if record == "stock":
        product = cells.get("product", "")
        data.setdefault("stock", {})[product] = cells.get("units")
        return ("stock", product)
    if record in _LISTS:
        block, fields = _LISTS[record]
        items = data.setdefault(block, [])
        item: dict[str, object] = {
            field: cells[column] for column, field in fields.items() if column in cells
        }
        if record == "sale" and "value" in cells:
            # ``sold_out`` marks the row; any other word is read as a yes/no value.
            item["sold_out"] = cells["value"] == "sold_out" or cells["value"]
        items.append(item)
        return (block, len(items) - 1)
    kinds = ", ".join(["scenario", "as_of", "cash", "stock", *_LISTS])
    raise ValueError(f"unknown record {record!r}; expected one of {kinds}")


__all__ = ["CSV_COLUMNS", "load_actuals", "loads_actuals", "loads_actuals_csv"]
