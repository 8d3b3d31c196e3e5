"""Reading scenario YAML so that every problem points at its file, line and column."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario import Scenario

Loc = tuple[str | int, ...]


def load_scenario_file(path: Path) -> Scenario:
    """Reads and validates one scenario file.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: the file is missing, is not YAML, or fails validation.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError([Problem((), f"cannot read file: {error.strerror}", str(path))], str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError([Problem((), "file is not UTF-8 text", str(path))], str(path)) from None
    return load_scenario_text(text, str(path))


def load_scenario_text(text: str, source: str) -> Scenario:
    """Validates scenario YAML text; ``source`` names it in problems.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: the text is not YAML, or fails validation.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        problem = Problem(
            (),
            f"not valid YAML: {reason}",
            source,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
        raise ScenarioError([problem], source) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or root is None:
        raise ScenarioError(
            [Problem((), "expected a mapping of scenario blocks (horizon, products, suppliers, …)", source, 1, 1)],
            source,
        )
    duplicates = _duplicate_key_problems(root, (), source)
    if duplicates:
        raise ScenarioError(duplicates, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = _problems_from_pydantic(error, data, root, source)
    except ScenarioError as error:
        problems = [_locate(problem.loc, problem.message, data, root, source) for problem in error.problems]
    raise ScenarioError(problems, source)


def _duplicate_key_problems(node: yaml.Node, loc: Loc, source: str) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(
                    Problem(
                        (*loc, key),
                        "key appears twice in this block (the second would silently replace the first)",
                        source,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                )
            seen.add(key)
            problems += _duplicate_key_problems(value_node, (*loc, key), source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_key_problems(item, (*loc, index), source)
    return problems


def _data_loc(loc: Loc, data: Any) -> tuple[Loc, Any, bool]:
    """Drops pydantic's union-branch tags from ``loc``; returns it, the value there, and whether found."""
    kept: list[str | int] = []
    current = data
    found = True
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
            kept.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            kept.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and part.isidentifier():
            kept.append(part)
            found = False
            break
        else:
            continue
    return tuple(kept), current, found


def _node_at(root: yaml.Node, loc: Loc) -> yaml.Node:
    """Returns the deepest node along ``loc`` (the parent block when a field is missing)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((value for key, value in node.value if key.value == part), None)
            if match is None:
                return node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part]
        else:
            break
    return node


def _locate(loc: Loc, message: str, data: Any, root: yaml.Node, source: str) -> Problem:
    clean, _, _ = _data_loc(loc, data)
    mark = _node_at(root, clean).start_mark
    return Problem(clean, message, source, mark.line + 1, mark.column + 1)


_COMPARISONS = {
    "greater_than_equal": ("≥", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("≤", "le"),
    "less_than": ("<", "lt"),
}


def _message(error: Any, found: bool, parent: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind in _COMPARISONS:
        symbol, key = _COMPARISONS[kind]
        return f"must be {symbol} {context.get(key):g}, got {value!r}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = error["loc"][-1]
        message = f"unknown field {name!r}"
        if isinstance(parent, dict):
            return message + _suggestion(str(name), parent)
        return message
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"}:
        expected = "a whole number" if kind.startswith("int") else "a number"
        return f"expected {expected}, got {value!r}"
    if kind in {"list_type", "dict_type", "model_type", "model_attributes_type"}:
        expected = "a list" if kind == "list_type" else "a mapping"
        return f"expected {expected}, got {value!r}"
    if kind == "enum":
        return f"expected one of {context.get('expected')}, got {value!r}"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    message = str(error["msg"])
    return f"{message[0].lower()}{message[1:]}, got {value!r}" if found else message


def _suggestion(name: str, parent: dict[str, Any]) -> str:
    del parent
    from flexsupply import scenario as schema

    fields: set[str] = set()
    for model in vars(schema).values():
        if isinstance(model, type) and issubclass(model, schema.Model):
            fields.update(model.model_fields)
    close = difflib.get_close_matches(name, sorted(fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _problems_from_pydantic(
    error: ValidationError, data: Any, root: yaml.Node, source: str
) -> list[Problem]:
    merged: dict[Loc, list[str]] = {}
    for item in error.errors():
        clean, _, found = _data_loc(tuple(item["loc"]), data)
        parent_loc = clean[:-1]
        _, parent, _ = _data_loc(parent_loc, data)
        text = _message(item, found, parent)
        messages = merged.setdefault(clean, [])
        if text not in messages:
            messages.append(text)
    problems = []
    for loc, messages in merged.items():
        problems.append(_locate(loc, " or ".join(messages), data, root, source))
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.column or 0))
