"""Reading scenario YAML so that every problem points at its file, line and column.

The text is read into PyYAML nodes and plain data by ``flexsupply.scenario.reader`` (which bounds
its size and its alias expansion) and validated with pydantic. Each problem's field path is then walked
down the node tree to find its position: a problem about a scalar points at the value, a problem
about a block or list points at its key, and a missing field points at the block that lacks it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.reader import Loader, check_size, parse
from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.validation import data_loc, validate_data

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

    scenario, problems = validate_data(data, YamlLocator(root, data, source).locate)
    if scenario is not None and not duplicates:
        return scenario
    problems = list(duplicates) + problems
    raise ScenarioError(sorted(problems, key=_position), source)


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


class YamlLocator:
    """Places problems in one scenario text: field path → line and column of its node.

    Each mapping node is indexed the first time a path passes through it, so locating n
    problems takes time in proportion to n, not to n times the size of the block.
    """

    def __init__(self, root: yaml.Node, data: Any, source: str) -> None:
        self.root = root
        self.data = data
        self.source = source
        self._keys: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def locate(self, loc: Loc, message: str, at_key: bool = False) -> Problem:
        """Returns a problem placed at the node of ``loc``.

        A scalar value is pointed at itself; a block or list at its key; with ``at_key``,
        always the key (the key itself is the problem, e.g. an unknown field name).
        """
        clean, _, _ = data_loc(loc, self.data)
        key, node = self._node_at(clean)
        scalar = isinstance(node, yaml.ScalarNode)
        mark = key.start_mark if key is not None and (at_key or not scalar) else node.start_mark
        return Problem(clean, message, self.source, mark.line + 1, mark.column + 1)

    def _node_at(self, loc: Loc) -> tuple[yaml.Node | None, yaml.Node]:
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
