"""Pydantic's validation errors as the plain sentences scenario and profile problems use."""

from __future__ import annotations

import difflib
import functools
import reprlib
import types
import typing
from datetime import date
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

import flexsupply.scenario.levers as levers
import flexsupply.scenario.schema as schema

_SHOW_LIMIT = 60
# Renders at most a few items and levels of a value, so that a large value is not rendered whole.
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 3, 6, 6
_REPR.maxstring = _REPR.maxother = _SHOW_LIMIT

Loc = tuple[str | int, ...]


@functools.cache
def field_names() -> frozenset[str]:
    """Returns every field name of every schema block."""
    fields: set[str] = set()
    for model in [*vars(schema).values(), *vars(levers).values()]:
        if isinstance(model, type) and issubclass(model, schema.Model):
            fields.update(model.model_fields)
    return frozenset(fields)


_COMPARISONS = {
    "greater_than_equal": ("≥", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("≤", "le"),
    "less_than": ("<", "lt"),
}

EXPECTED = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number of sensible size",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time of day",
    "finite_number": "a finite number",
}


def show(value: Any) -> str:
    """Returns a short rendering of a value found in the file (never the whole of a big value)."""
    if value is None:
        return "an empty value"
    text = value.isoformat() if isinstance(value, date) else _REPR.repr(value)
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 1] + "…"


def _bound(value: Any) -> str:
    """Returns a bound as people write it: ``0``, ``0.95``, ``100,000,000``, ``2999-12-31``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"
    return str(value)


def plain_message(error: ErrorDetails, found: bool, block: Loc = ()) -> str:
    """Returns a pydantic error as a plain sentence (without the type mismatches).

    ``block`` is the data path of the block the error is in: an unknown field is matched
    against that block's fields.
    """
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind in _COMPARISONS:
        symbol, key = _COMPARISONS[kind]
        return f"must be {symbol} {_bound(context.get(key))}, got {show(value)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        return f"unknown field {name!r}{suggestion(name, block)}"
    if kind == "invalid_key":
        return f"field names must be text, got {show(value)}"
    if kind == "enum":
        return f"expected one of {context.get('expected')}, got {show(value)}"
    if kind == "too_short":
        minimum = context.get("min_length")
        if minimum == 1:
            return "needs at least one item"
        return f"needs at least {minimum} items, got {len(value or ())}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "recursion_loop":
        return "refers to itself through an alias"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    message = str(error["msg"])
    message = f"{message[0].lower()}{message[1:]}"
    return f"{message}, got {show(value)}" if found else message


def field_message(error: ErrorDetails) -> str:
    """Returns one pydantic error as the sentence a scenario problem uses, e.g. ``must be ≥ 0, got -5``."""
    expected = EXPECTED.get(error["type"])
    if expected is not None:
        return f"expected {expected}, got {show(error.get('input'))}"
    return plain_message(error, True)


def suggestion(name: str, block: Loc = ()) -> str:
    """Returns `` (did you mean 'x'?)`` for the field of the block at ``block`` closest to ``name``.

    Returns:
        The hint, or an empty text when no field is close.
    """
    close = difflib.get_close_matches(name, _block_fields(block), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _block_fields(loc: Loc) -> list[str]:
    """Returns the field names of the schema block at the data path ``loc``.

    Returns:
        The names, sorted; every field name of the schema when ``loc`` names no block.
    """
    annotations: list[Any] = [schema.Scenario]
    for part in loc:
        inner: list[Any] = []
        for branch in (b for annotation in annotations for b in _branches(annotation)):
            if isinstance(branch, type) and issubclass(branch, BaseModel):
                field = branch.model_fields.get(str(part))
                if field is not None:
                    inner.append(field.annotation)
            elif typing.get_origin(branch) in (list, dict):
                inner.append(typing.get_args(branch)[-1])
        annotations = inner
    names = {
        name
        for annotation in annotations
        for branch in _branches(annotation)
        if isinstance(branch, type) and issubclass(branch, BaseModel)
        for name in branch.model_fields
    }
    return sorted(names or field_names())


def _branches(annotation: Any) -> list[Any]:
    """Returns the types a field may hold: the branches of a union, without ``Annotated``."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _branches(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [branch for arg in typing.get_args(annotation) for branch in _branches(arg)]
    return [annotation]
