"""Reading scenario YAML so that every problem points at its file, line and column.

The text is read into PyYAML nodes and plain data by ``flexsupply.scenario.reader`` (which bounds its size)
and validated with pydantic. Each problem's field path is then walked down the node tree to find
its position: a problem about a scalar points at the value, a problem about a block or list
points at its key, and a missing field points at the block that lacks it. Each mapping is
indexed once, so locating many problems takes time in proportion to their number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.checks import duplicate_id_problems, unknown_product_problems
from flexsupply.scenario.messages import EXPECTED, field_names, plain_message, show
from flexsupply.scenario.reader import Loader, check_size, parse
from flexsupply.scenario.schema import Scenario

Loc = tuple[str | int, ...]
Edit = Callable[[dict[str, Any]], dict[str, Any]]

_NOT_A_MAPPING = "expected a mapping of scenario blocks (horizon, products, suppliers, …)"


def load_scenario_file(path: Path, edit: Edit | None = None) -> Scenario:
    """Reads and validates one scenario file.

    Args:
        path: The YAML file to read.
        edit: Returns changed data before it is validated (``--set`` overrides).

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: the file is missing, is not YAML, or fails validation.
    """
    source = str(path)
    try:
        check_size(path.stat().st_size, source)
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem((), "file is not UTF-8 text", source)], source) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ScenarioError([Problem((), f"cannot read file: {reason}", source)], source) from None
    return load_scenario_text(text, source, edit)


def load_scenario_text(text: str, source: str, edit: Edit | None = None) -> Scenario:
    """Validates scenario YAML text.

    Args:
        text: The YAML text.
        source: Name of the text in problems, usually its file path.
        edit: Returns changed data before it is validated (``--set`` overrides); problems in
            what it changed point at the nearest position in the text.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: the text is not YAML, or fails validation; carries every problem found.
    """
    root, data, duplicates = parse(text, source)
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        mark = root.start_mark if root is not None else None
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioError([Problem((), _NOT_A_MAPPING, source, line, column)], source)
    if edit is not None:
        data = edit(data)
    problems = list(duplicates)
    where = _Where(root, data, source)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems += _problems_from_pydantic(error, where)
        reported = {problem.loc for problem in problems}
        problems += [
            where.locate(problem.loc, problem.message)
            for problem in unknown_product_problems(data)
            if problem.loc not in reported
        ]
    except ScenarioError as error:
        problems += [where.locate(problem.loc, problem.message) for problem in error.problems]
    except RecursionError:
        problems.append(Problem((), "nested too deeply to validate", source, 1, 1))
    else:
        if not problems:
            return scenario
    raise ScenarioError(sorted(problems, key=_position), source)


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


class _Where:
    """Finds where a field path is in the data and in the node tree of one scenario text.

    Each mapping (of the data and of the nodes) is indexed the first time a path passes through
    it, so locating n problems takes time in proportion to n, not to n times the block size.
    """

    def __init__(self, root: yaml.Node, data: Any, source: str) -> None:
        self.root = root
        self.data = data
        self.source = source
        self._spellings: dict[int, dict[str, Any]] = {}
        self._keys: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def data_loc(self, loc: Loc) -> tuple[Loc, Any, bool]:
        """Follows a pydantic ``loc`` through the data, dropping parts that are not in the data.

        Pydantic adds union-branch tags (``float``, ``list[constrained-float]``) and markers such
        as ``[key]`` to its locations; they name no place in the file.

        Args:
            loc: The location pydantic reports.

        Returns:
            The location with only data keys, indices and missing field names; the value
            there; and whether that value exists (False for a missing field).
        """
        kept: list[str | int] = []
        current = self.data
        for part in loc:
            in_list = (
                isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
            )
            if in_list or (isinstance(current, dict) and part in current):
                current = current[part]
                kept.append(part)
            elif isinstance(current, dict) and (spelt := self._spelt(current, part)):
                current = current[spelt[0]]
                kept.append(part)
            elif isinstance(current, dict) and part in field_names():
                kept.append(part)
                return tuple(kept), None, False
        return tuple(kept), current, True

    def _spelt(self, mapping: dict[Any, Any], part: str | int) -> tuple[Any, ...]:
        """Returns the non-text key of ``mapping`` that pydantic spells ``part`` (None → 'None').

        Returns:
            A 1-tuple with the key, or an empty tuple when there is none (the key may be None).
        """
        index = self._spellings.get(id(mapping))
        if index is None:
            index = {str(key): key for key in mapping if not isinstance(key, str)}
            self._spellings[id(mapping)] = index
        return (index[part],) if isinstance(part, str) and part in index else ()

    def node_at(self, loc: Loc) -> tuple[yaml.Node | None, yaml.Node]:
        """Returns the key node and value node at ``loc``.

        When a part of ``loc`` is missing, returns those of the deepest block that exists.
        """
        key: yaml.Node | None = None
        node = self.root
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = self._entries(node).get(part)
                if found is None:
                    break
                key, node = found
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and part < len(node.value)
            ):
                key, node = None, node.value[part]
            else:
                break
        return key, node

    def _entries(self, node: yaml.MappingNode) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        """Returns a mapping node's entries by each spelling of their key (as data, as text)."""
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            # The last of repeated keys is the one whose value the data holds.
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    for spelling in _key_spellings(key):
                        index[spelling] = (key, value)
            self._keys[id(node)] = index
        return index

    def locate(self, loc: Loc, message: str, at_key: bool = False) -> Problem:
        """Returns a problem placed at the node of ``loc``.

        A scalar value is pointed at itself; a block or list at its key; with ``at_key``,
        always the key (the key itself is the problem, e.g. an unknown field name).
        """
        clean, _, _ = self.data_loc(loc)
        key, node = self.node_at(clean)
        scalar = isinstance(node, yaml.ScalarNode)
        mark = key.start_mark if key is not None and (at_key or not scalar) else node.start_mark
        return Problem(clean, message, self.source, mark.line + 1, mark.column + 1)


def _key_spellings(key_node: yaml.ScalarNode) -> list[Any]:
    """Returns the data key a key node holds, and its text as pydantic spells it in a ``loc``."""
    if key_node.tag.endswith(":str"):
        return [key_node.value]
    try:
        value = Loader("").construct_object(key_node)
    except yaml.YAMLError:
        return []
    try:
        hash(value)
    except TypeError:
        return [str(value)]
    return [value, str(value)]


def _problems_from_pydantic(error: ValidationError, where: _Where) -> list[Problem]:
    """Turns pydantic's errors into located problems, one per field path.

    Type mismatches at one path (from the branches of a union) merge into one "expected A or B",
    and are dropped when another branch got further into the value: that branch's error is the
    real one. A repeated id is reported at the item that repeats it rather than at the list.
    """
    items = [(item, *where.data_loc(tuple(item["loc"]))) for item in error.errors()]
    deeper = {clean[:depth] for _, clean, _, _ in items for depth in range(len(clean))}
    duplicates = _duplicates_by_block(where.data)
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
            problems += [where.locate(dup.loc, dup.message) for dup in duplicates.pop(clean)]
        else:
            if kind in {"extra_forbidden", "invalid_key"} or item["loc"][-1:] == ("[key]",):
                at_key.add(clean)
            if kind == "invalid_key":
                bad_keys.add(clean)
            _add(messages.setdefault(clean, []), plain_message(item, found, clean[:-1]))
    for loc, texts in messages.items():
        if loc in expected:
            texts = [f"expected {' or '.join(expected[loc])}, got {show(inputs[loc])}", *texts]
        problem = where.locate(loc, "; ".join(texts), loc in at_key)
        if loc in bad_keys:  # the key is not a field name, so the path stops at its block
            problem = dataclasses.replace(problem, loc=problem.loc[:-1])
        problems.append(problem)
    return problems


def _add(texts: list[str], text: str) -> None:
    if text not in texts:
        texts.append(text)


def _duplicates_by_block(data: dict[str, Any]) -> dict[Loc, list[Problem]]:
    """Returns repeated-id problems grouped by the list they are in, e.g. ``("products",)``."""
    grouped: dict[Loc, list[Problem]] = {}
    for problem in duplicate_id_problems(data):
        grouped.setdefault(problem.loc[:1], []).append(problem)
    return grouped


def load(path: str | Path) -> Scenario:
    """Reads and validates a scenario YAML file.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: with every problem found, each located by file, line and field path.
    """
    return load_scenario_file(Path(path))


def loads(text: str, source: str = "<string>") -> Scenario:
    """Validates a scenario given as YAML text; ``source`` names it in error messages.

    Returns:
        The validated ``Scenario``.
    """
    return load_scenario_text(text, source)


def dump(scenario: Scenario) -> str:
    """Returns the scenario as YAML text that ``loads`` reads back to an equal scenario."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
