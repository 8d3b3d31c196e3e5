"""``--set path=value`` overrides: change a scenario's raw YAML data before it is validated.

A path is dotted keys of the YAML file (``horizon.periods``); a list item is addressed by its
index (``presale.0``) or by what identifies it: ``id`` (products, suppliers), ``name`` (demand
scenarios, events) or ``product`` (supplier terms, presale orders). The value is read as YAML
(``50``, ``0.2``, ``true``, ``[100, 200]``, ``null``). Three shorthands follow how planners talk:

- a list followed by a field applies to every item: ``presale.deposit=20``;
- a supplier-terms field on a supplier applies to all its terms: ``suppliers.QR-HZ.moq=50``;
  ``suppliers.QR-HZ.terms.DRESS-01.moq=50`` changes one product only (a terms entry that
  lists several ``products`` is split so the others keep their terms);
- ``presale.deposit_share=0.2`` sets each presale order's ``deposit`` to that share of its price
  (the order's ``price``, else the product's).

The result is validated like the file; a problem in an overridden value names its ``--set``.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.reader import read_value
from flexsupply.scenario.schema import PresaleOrder, Scenario, Supplier, SupplyTerms
from flexsupply.scenario.sources import read_scenario

Loc = tuple[str | int, ...]

_SOURCE = "--set options"
_INDEX = re.compile(r"-?\d+")
_BRACKETS = re.compile(r"\[(-?\d+)\]")
_ITEM_KEYS = ("id", "name", "product")
"""Fields that identify a list item, tried in this order."""
_INHERITED: dict[type[BaseModel], tuple[str, type[BaseModel]]] = {Supplier: ("terms", SupplyTerms)}
"""A field of the list's items set on the block means: set it on every item of that list."""


@dataclass(frozen=True)
class _ListOf:
    item: Shape


@dataclass(frozen=True)
class _DictOf:
    value: Shape


Shape = type[BaseModel] | _ListOf | _DictOf | None
"""What the schema says a YAML node holds: a block, a list, a free mapping, or a plain value."""


@dataclass(frozen=True)
class Override:
    """One ``--set path=value``."""

    text: str
    """The option as given, e.g. ``suppliers.QR-HZ.moq=50``."""
    path: tuple[str, ...]
    """The dotted path split into its keys."""
    value: Any
    """The value read as YAML."""

    @classmethod
    def parse(cls, text: str) -> Override:
        """Returns the override written as ``path=value``.

        Raises:
            ScenarioError: there is no ``=``, the path is empty, or the value is not YAML.
        """
        raw_path, equals, raw_value = text.partition("=")
        path = tuple(_BRACKETS.sub(r".\1", raw_path.strip()).split("."))
        if not equals or not all(path):
            raise _error(text, (), "expected PATH=VALUE, e.g. suppliers.QR-HZ.moq=50")
        try:
            value = read_value(raw_value)
        except yaml.YAMLError as error:
            reason = getattr(error, "problem", None) or str(error)
            raise _error(text, (), f"the value {raw_value!r} is not valid YAML: {reason}") from None
        return cls(text, path, value)


def apply_overrides(data: Mapping[str, Any], overrides: Sequence[str | Override]) -> dict[str, Any]:
    """Returns a copy of raw scenario data with the overrides applied in order.

    Args:
        data: The scenario as read from YAML (not changed).
        overrides: ``path=value`` texts or parsed overrides, e.g. ``["suppliers.QR-HZ.moq=50"]``.

    Raises:
        ScenarioError: a path names nothing in the scenario (each problem lists what does exist
            at that level) or an option is not ``path=value``.
    """
    new, _ = _apply_all(data, _parse_all(overrides))
    return new


def load_with_overrides(path: str | Path, overrides: Sequence[str | Override]) -> Scenario:
    """Reads a scenario (YAML, workbook or CSV folder), applies the overrides, validates the result.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: every problem found; a problem in an overridden value names the ``--set``
            that caused it instead of a line of the file.
    """
    parsed = _parse_all(overrides)
    if not parsed:
        return read_scenario(path)
    changed: list[tuple[Override, list[Loc]]] = []

    def edit(data: dict[str, Any]) -> dict[str, Any]:
        new, done = _apply_all(data, parsed)
        changed.extend(done)
        return new

    try:
        return read_scenario(path, edit)
    except ScenarioError as error:
        if not changed:
            raise
        problems = [_blame(problem, changed) for problem in error.problems]
        raise ScenarioError(problems, error.source) from None


def _parse_all(overrides: Sequence[str | Override]) -> list[Override]:
    problems: list[Problem] = []
    parsed: list[Override] = []
    for item in overrides:
        try:
            parsed.append(item if isinstance(item, Override) else Override.parse(item))
        except ScenarioError as error:
            problems += error.problems
    if problems:
        raise ScenarioError(problems, _SOURCE)
    return parsed


def _apply_all(
    data: Mapping[str, Any], overrides: list[Override]
) -> tuple[dict[str, Any], list[tuple[Override, list[Loc]]]]:
    """Returns the changed data and, per override, the data locations it set."""
    current: dict[str, Any] = dict(data)
    done: list[tuple[Override, list[Loc]]] = []
    problems: list[Problem] = []
    for override in overrides:
        try:
            current, locs = _Setter(override, current).apply()
        except _PathError as error:
            problems.append(Problem(error.loc, error.message, f"--set {override.text}"))
            continue
        done.append((override, locs))
    if problems:
        raise ScenarioError(problems, _SOURCE)
    return current, done


def _blame(problem: Problem, changed: list[tuple[Override, list[Loc]]]) -> Problem:
    """Returns the problem pointed at the last ``--set`` that wrote its value, if one did."""
    for override, locs in reversed(changed):
        if any(problem.loc[: len(loc)] == loc for loc in locs):
            return dataclasses.replace(
                problem,
                file=f"--set {override.text}",
                line=None,
                column=None,
                sheet=None,
                cell=None,
            )
    for override, locs in reversed(changed):
        if problem.loc and any(loc[: len(problem.loc)] == problem.loc for loc in locs):
            return dataclasses.replace(
                problem, message=f"{problem.message} (after --set {override.text})"
            )
    return problem


class _PathError(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        self.loc = loc
        self.message = message
        super().__init__(message)


class _Missing:
    """A key the data does not have yet (setting it creates it)."""


_MISSING = _Missing()


class _Setter:
    """Walks one override's path through the data and the schema side by side."""

    def __init__(self, override: Override, root: dict[str, Any]) -> None:
        self.override = override
        self.root = root
        self.locs: list[Loc] = []

    def apply(self) -> tuple[dict[str, Any], list[Loc]]:
        new = self._assign(self.root, Scenario, self.override.path, ())
        return new, self.locs

    def _assign(self, node: Any, shape: Shape, parts: tuple[str, ...], loc: Loc) -> Any:
        """Returns ``node`` with ``parts`` set (a new container; the input is left as it was)."""
        if not parts:
            self.locs.append(loc)
            return self.override.value
        if node is None:  # an empty block (``cash:``) is filled like a missing one
            node = _MISSING
        if isinstance(shape, _ListOf) and (isinstance(node, list) or node is _MISSING):
            return self._assign_list(node if isinstance(node, list) else [], shape, parts, loc)
        if not isinstance(shape, _ListOf) and (isinstance(node, dict) or node is _MISSING):
            return self._assign_mapping(node if isinstance(node, dict) else {}, shape, parts, loc)
        raise _PathError(loc, f"holds {_show(node)}, not a block: there is no {parts[0]!r} in it")

    def _assign_mapping(
        self, mapping: dict[Any, Any], shape: Shape, parts: tuple[str, ...], loc: Loc
    ) -> dict[Any, Any]:
        key, rest = parts[0], parts[1:]
        new = dict(mapping)
        if isinstance(shape, type):
            fields = shape.model_fields
            if key in fields:
                child = mapping.get(key, _MISSING)
                child_shape = _pick(_shapes(fields[key].annotation), child)
                new[key] = self._assign(child, child_shape, rest, (*loc, key))
                return new
            derived = _DERIVED.get((shape, key))
            if derived is not None and not rest:
                return derived(self, new, loc)
            if shape in _INHERITED and key in _INHERITED[shape][1].model_fields:
                return self._assign_mapping(mapping, shape, (_INHERITED[shape][0], *parts), loc)
            raise _PathError(loc, _unknown(f"field {key!r}", key, _keys(shape)))
        value_shape = shape.value if isinstance(shape, _DictOf) else None
        if key not in mapping and rest:
            existing = [str(name) for name in mapping]
            raise _PathError(loc, _unknown(f"key {key!r}", key, existing))
        new[key] = self._assign(mapping.get(key, _MISSING), value_shape, rest, (*loc, key))
        return new

    def _assign_list(
        self, items: list[Any], shape: _ListOf, parts: tuple[str, ...], loc: Loc
    ) -> list[Any]:
        key, rest = parts[0], parts[1:]
        new = list(items)
        item_shape = shape.item
        if _INDEX.fullmatch(key):
            index = int(key)
            if not -len(items) <= index < len(items):
                span = f"0-{len(items) - 1}" if items else "none: the list is empty"
                raise _PathError(loc, f"no item {index}; indices here: {span}")
            index %= len(items)
            new[index] = self._assign(
                items[index], _pick_item(item_shape, items[index]), rest, (*loc, index)
            )
            return new
        matched = _matches(items, key)
        if matched:
            for index, via_list in matched:
                if via_list and rest:
                    index = _split(new, index, key)
                new[index] = self._assign(
                    new[index], _pick_item(item_shape, new[index]), rest, (*loc, index)
                )
            return new
        if isinstance(item_shape, type) and _settable(item_shape, key):
            if not items:
                raise _PathError(loc, "is empty: there is no item to set")
            for index, item in enumerate(items):
                new[index] = self._assign(item, _pick_item(item_shape, item), parts, (*loc, index))
            return new
        names = [name for item in items for name in _names(item)]
        fields = _keys(item_shape) if isinstance(item_shape, type) else []
        what = f"no item {key!r}" + (" and no field of its items by that name" if fields else "")
        choices = names + fields
        hint = f"; items here: {', '.join(names) or 'none'}" if names else ""
        hint += f"; or an index 0-{len(items) - 1}" if items else ""
        raise _PathError(loc, _unknown(what, key, choices, listed=False) + hint)

    def deposit_from_share(self, order: dict[Any, Any], loc: Loc) -> dict[Any, Any]:
        """Returns the presale order with ``deposit`` = share × price (derived ``deposit_share``)."""
        share = self.override.value
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise _PathError(
                (*loc, "deposit_share"), f"must be a share between 0 and 1, got {_show(share)}"
            )
        price = order.get("price")
        if price is None:
            products = self.root.get("products")
            product = next(
                (
                    item
                    for item in products or []
                    if isinstance(item, dict) and item.get("id") == order.get("product")
                ),
                {},
            )
            price = product.get("price", 0.0)
        if isinstance(price, bool) or not isinstance(price, int | float):
            raise _PathError(
                (*loc, "price"), f"needs a numeric price to take a share of, got {_show(price)}"
            )
        order["deposit"] = share * price
        self.locs.append((*loc, "deposit"))
        return order


_DERIVED: dict[
    tuple[type[BaseModel], str], Callable[[_Setter, dict[Any, Any], Loc], dict[Any, Any]]
] = {
    (PresaleOrder, "deposit_share"): _Setter.deposit_from_share,
}
"""Names that are not fields but set one from another: (block, name) → setter."""


def _settable(model: type[BaseModel], key: str) -> bool:
    """Returns whether ``key`` can be set on a block of type ``model``."""
    return key in _keys(model)


def _keys(model: type[BaseModel]) -> list[str]:
    """Returns what can be set on a block: its fields, derived names and inherited fields."""
    keys = list(model.model_fields)
    keys += [name for block, name in _DERIVED if block is model]
    if model in _INHERITED:
        keys += [name for name in _INHERITED[model][1].model_fields if name not in keys]
    return keys


def _matches(items: list[Any], key: str) -> list[tuple[int, bool]]:
    """Returns the indices of the items ``key`` identifies.

    Each index comes with whether it matched through a ``products`` list (an entry that several
    products share).
    """
    for field in _ITEM_KEYS:
        found = [
            (i, False)
            for i, item in enumerate(items)
            if isinstance(item, dict) and item.get(field) == key
        ]
        if field == "product":
            found += [
                (i, len(item["products"]) > 1)
                for i, item in enumerate(items)
                if isinstance(item, dict)
                and isinstance(item.get("products"), list)
                and key in item["products"]
            ]
        if found:
            return sorted(found)
    return []


def _split(items: list[Any], index: int, product: str) -> int:
    """Moves ``product`` out of the shared entry ``items[index]`` into its own copy at the end.

    Returns:
        The index of the new entry.
    """
    shared = items[index]
    items[index] = {**shared, "products": [name for name in shared["products"] if name != product]}
    own = {key: value for key, value in shared.items() if key != "products"}
    items.append({"product": product, **own})
    return len(items) - 1


def _names(item: Any) -> list[str]:
    """Returns what identifies a list item (its id, name, product or products)."""
    if not isinstance(item, dict):
        return []
    for field in _ITEM_KEYS:
        if isinstance(item.get(field), str):
            return [item[field]]
    products = item.get("products")
    return (
        [name for name in products if isinstance(name, str)] if isinstance(products, list) else []
    )


def _shapes(annotation: Any) -> list[Shape]:
    """Returns the navigable shapes a field's type allows (none for plain values)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _shapes(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return [shape for arg in get_args(annotation) for shape in _shapes(arg)]
    if origin is list:
        return [_ListOf(_first(get_args(annotation)[0]))]
    if origin is dict:
        return [_DictOf(_first(get_args(annotation)[1]))]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _first(annotation: Any) -> Shape:
    shapes = _shapes(annotation)
    return shapes[0] if shapes else None


def _pick(shapes: list[Shape], node: Any) -> Shape:
    """Returns the shape that fits the node found (lists for lists, blocks for mappings)."""
    lists = [shape for shape in shapes if isinstance(shape, _ListOf)]
    blocks = [shape for shape in shapes if not isinstance(shape, _ListOf)]
    if isinstance(node, list):
        return lists[0] if lists else None
    ordered = blocks + lists if not isinstance(node, dict) else blocks
    return ordered[0] if ordered else None


def _pick_item(shape: Shape, node: Any) -> Shape:
    return _pick([shape], node) if shape is not None else None


def _unknown(what: str, key: str, choices: list[str], listed: bool = True) -> str:
    """Returns ``unknown <what> (did you mean 'x'?); valid here: a, b`` for a path part."""
    close = difflib.get_close_matches(key, choices, n=1)
    text = what if not listed else f"unknown {what}"
    if close:
        text += f" (did you mean {close[0]!r}?)"
    if listed:
        text += f"; valid here: {', '.join(choices) or 'none'}"
    return text


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _error(text: str, loc: Loc, message: str) -> ScenarioError:
    return ScenarioError([Problem(loc, message, f"--set {text}")], _SOURCE)


__all__ = ["Override", "apply_overrides", "load_with_overrides"]
