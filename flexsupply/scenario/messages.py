"""Pydantic's validation errors as the plain sentences scenario and profile problems use."""

from __future__ import annotations

import difflib
import functools
from typing import Any

from pydantic_core import ErrorDetails

import flexsupply.scenario.schema as schema

_SHOW_LIMIT = 60


@functools.cache
def field_names() -> frozenset[str]:
    """Returns every field name of every schema block."""
    fields: set[str] = set()
    for model in vars(schema).values():
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
    """Returns a short rendering of a value found in the file."""
    if value is None:
        return "an empty value"
    text = repr(value)
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 1] + "…"


def plain_message(error: ErrorDetails, found: bool) -> str:
    """Returns a pydantic error as a plain sentence (without the type mismatches)."""
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind in _COMPARISONS:
        symbol, key = _COMPARISONS[kind]
        return f"must be {symbol} {context.get(key):g}, got {show(value)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        return f"unknown field {name!r}{suggestion(name)}"
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


def suggestion(name: str) -> str:
    """Returns `` (did you mean 'x'?)`` for the schema field closest to ``name``, if any."""
    close = difflib.get_close_matches(name, sorted(field_names()), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
