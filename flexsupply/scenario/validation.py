"""Validating scenario data, wherever it came from, into one list of located problems.

Every input form (YAML text, a workbook, a folder of CSV files, Python objects, data frames) ends
as plain data validated here by the pydantic schema and the cross-checks, so the checks and their
messages are the same whatever the form. Each form passes a ``Locate`` function that places a
problem at its field path in that form: a line and column of YAML, a sheet and cell, a CSV line,
a frame row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.checks import duplicate_id_problems, unknown_product_problems
from flexsupply.scenario.messages import EXPECTED, field_names, plain_message, show
from flexsupply.scenario.schema import Scenario

Loc = tuple[str | int, ...]
Locate = Callable[[Loc, str, bool], Problem]
"""Places a problem: (field path, message, whether the key itself is at fault) → located problem."""


def validate_data(data: Any, locate: Locate) -> tuple[Scenario | None, list[Problem]]:
    """Validates scenario data with the schema and the cross-checks.

    Args:
        data: The scenario as plain data (mappings, lists, numbers, text, dates).
        locate: Places each problem in the form the data came from.

    Returns:
        The scenario (None when there are problems) and every problem found, located.
    """
    problems: list[Problem] = []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems += problems_from_pydantic(error, data, locate)
        reported = {problem.loc for problem in problems}
        problems += [
            locate(data_loc(problem.loc, data)[0], problem.message, False)
            for problem in unknown_product_problems(data)
            if problem.loc not in reported
        ]
    except ScenarioError as error:
        problems += [
            locate(data_loc(problem.loc, data)[0], problem.message, False)
            for problem in error.problems
        ]
    except RecursionError:
        problems.append(locate((), "nested too deeply to validate", False))
    else:
        return scenario, []
    return None, problems


def data_loc(loc: Loc, data: Any) -> tuple[Loc, Any, bool]:
    """Follows a pydantic ``loc`` through the data, dropping parts that are not in the data.

    Pydantic adds union-branch tags (``float``, ``list[constrained-float]``) and markers such as
    ``[key]`` to its locations; they name no place in the file.

    Args:
        loc: The location pydantic reports.
        data: The data validated.

    Returns:
        The location with only data keys, indices and missing field names; the value there; and
        whether that value exists (False for a missing field).
    """
    kept: list[str | int] = []
    current = data
    for part in loc:
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_list or (isinstance(current, dict) and part in current):
            current = current[part]
            kept.append(part)
        elif isinstance(current, dict) and (spelt := _key_spelt(current, part)):
            current = current[spelt[0]]
            kept.append(part)
        elif isinstance(current, dict) and part in field_names():
            kept.append(part)
            return tuple(kept), None, False
    return tuple(kept), current, True


def _key_spelt(mapping: dict[Any, Any], part: str | int) -> tuple[Any, ...]:
    """Returns the non-text key of ``mapping`` that pydantic spells ``part`` (``None`` → 'None').

    Returns:
        A 1-tuple with the key, or an empty tuple when there is none (the key may be None).
    """
    return next(((key,) for key in mapping if not isinstance(key, str) and str(key) == part), ())


def problems_from_pydantic(error: ValidationError, data: Any, locate: Locate) -> list[Problem]:
    """Turns pydantic's errors into located problems, one per field path.

    Type mismatches at one path (from the branches of a union) merge into one "expected A or B",
    and are dropped when another branch got further into the value: that branch's error is the
    real one. A repeated id is reported at the item that repeats it rather than at the list.
    """
    items = [(item, *data_loc(tuple(item["loc"]), data)) for item in error.errors()]
    deeper = {clean[:depth] for _, clean, _, _ in items for depth in range(len(clean))}
    duplicates = _duplicates_by_block(data)
    expected: dict[Loc, list[str]] = {}
    inputs: dict[Loc, Any] = {}
    messages: dict[Loc, list[str]] = {}
    at_key: set[Loc] = set()
    bad_keys: set[Loc] = set()
    problems: list[Problem] = []
    for item, clean, _, found in items:
        kind = item["type"]
        if kind in EXPECTED:
            if clean not in deeper:
                _add(expected.setdefault(clean, []), EXPECTED[kind])
                inputs[clean] = item.get("input")
                messages.setdefault(clean, [])
        elif kind == "value_error" and clean in duplicates:
            problems += [
                locate(data_loc(dup.loc, data)[0], dup.message, False)
                for dup in duplicates.pop(clean)
            ]
        else:
            if kind in {"extra_forbidden", "invalid_key"} or item["loc"][-1:] == ("[key]",):
                at_key.add(clean)
            if kind == "invalid_key":
                bad_keys.add(clean)
            _add(messages.setdefault(clean, []), plain_message(item, found, clean[:-1]))
    for loc, texts in messages.items():
        if loc in expected:
            texts = [f"expected {' or '.join(expected[loc])}, got {show(inputs[loc])}", *texts]
        problem = locate(loc, "; ".join(texts), loc in at_key)
        if loc in bad_keys:  # the key is not a field name, so the path stops at its block
            problem = dataclasses.replace(problem, loc=problem.loc[:-1])
        problems.append(problem)
    return problems


def _add(texts: list[str], text: str) -> None:
    if text not in texts:
        texts.append(text)


def _duplicates_by_block(data: Any) -> dict[Loc, list[Problem]]:
    """Returns repeated-id problems grouped by the list they are in, e.g. ``("products",)``."""
    grouped: dict[Loc, list[Problem]] = {}
    for problem in duplicate_id_problems(data):
        grouped.setdefault(problem.loc[:1], []).append(problem)
    return grouped
