"""Reading scenario YAML so that every problem points at its file, line and column.

The text is composed into PyYAML nodes (which keep their positions), checked for repeated keys,
constructed into plain data and validated with pydantic. Each problem's field path is then walked
down the node tree to find its position: a problem about a scalar points at the value, a problem
about a block or list points at its key, and a missing field points at the block that lacks it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from flexsupply.errors import Problem, ScenarioError
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
    root, data, duplicates = _parse(text, source)
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        mark = root.start_mark if root is not None else None
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioError([Problem((), _NOT_A_MAPPING, source, line, column)], source)
    if edit is not None:
        data = edit(data)

    def locate(loc: Loc, message: str, at_key: bool) -> Problem:
        return _locate(loc, message, data, root, source, at_key)

    scenario, problems = validate_data(data, locate)
    if scenario is not None and not duplicates:
        return scenario
    problems = list(duplicates) + problems
    raise ScenarioError(sorted(problems, key=_position), source)


def _position(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


class _Constructor(yaml.constructor.SafeConstructor):
    """Scalar constructors that report bad values as positioned YAML errors."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Constructs one node, turning Python errors (e.g. date 2024-13-45) into YAML errors.

        Args:
            node: The node to construct.
            deep: Construct nested collections at once rather than later.

        Returns:
            The constructed Python value.

        Raises:
            yaml.constructor.ConstructorError: the node's value cannot be read.
        """
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as error:
            shown = f" {node.value!r}" if isinstance(node, yaml.ScalarNode) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read{shown}: {error}", node.start_mark
            ) from None


class _Loader(_Constructor, yaml.SafeLoader):
    """The safe loader in Python: its error messages are the ones problems show."""


_FAST_BASE: type[Any] | None = getattr(yaml, "CSafeLoader", None)


class _FastLoader(_Constructor, _FAST_BASE or yaml.SafeLoader):  # type: ignore[misc]
    """The safe loader on libyaml, several times faster on a valid file (a lighter start-up)."""


def _parse(text: str, source: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Parses YAML text into its node tree and its data.

    Returns:
        The root node (None for an empty text), the data, and a problem for each repeated key
        (found in the nodes before merge keys ``<<`` are expanded).

    Raises:
        ScenarioError: the text is not valid YAML.
    """
    parsed = _parse_fast(text, source)
    if parsed is not None:
        return parsed
    try:
        loader = _Loader(text)
    except yaml.YAMLError as error:  # the reader checks every character at once
        raise ScenarioError([_yaml_problem(error, text, source)], source) from None
    try:
        return _document(loader, source)
    except yaml.YAMLError as error:
        raise ScenarioError([_yaml_problem(error, text, source)], source) from None
    except RecursionError:
        problem = Problem((), "not valid YAML: nested too deeply", source, 1, 1)
        raise ScenarioError([problem], source) from None
    finally:
        loader.dispose()


def _document(loader: Any, source: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Returns the root node, the data and the repeated-key problems of the loader's text."""
    root = loader.get_single_node()
    if root is None:
        return None, None, []
    duplicates = _duplicate_key_problems(root, (), source, set())
    return root, loader.construct_document(root), duplicates


def _parse_fast(text: str, source: str) -> tuple[yaml.Node | None, Any, list[Problem]] | None:
    """Parses YAML text as ``_parse`` does, on libyaml; None when it fails or is not installed.

    A text libyaml refuses is parsed again in Python, whose messages problems show.
    """
    if _FAST_BASE is None:
        return None
    loader: type[Any] = _FastLoader
    try:
        fast = loader(text)
    except yaml.YAMLError:
        return None
    try:
        return _document(fast, source)
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        fast.dispose()


def _yaml_problem(error: yaml.YAMLError, text: str, source: str) -> Problem:
    """Turns a PyYAML error into a problem at the position the parser reports."""
    line: int | None = None
    column: int | None = None
    if isinstance(error, yaml.reader.ReaderError):
        before = text[: error.position]
        line = before.count("\n") + 1
        column = error.position - (before.rfind("\n") + 1) + 1
        character = chr(error.character) if isinstance(error.character, int) else error.character
        return Problem(
            (),
            f"not valid YAML: character {character!r} is not allowed ({error.reason})",
            source,
            line,
            column,
        )
    reason = str(error)
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
        reason = error.problem or error.context or reason
        if error.context and error.problem:
            context_mark = error.context_mark
            if error.problem.startswith("but "):
                reason = f"{error.context}, {error.problem}"
            elif context_mark is not None and context_mark.line + 1 != line:
                reason = f"{error.problem} ({error.context} at line {context_mark.line + 1})"
    return Problem((), f"not valid YAML: {reason}", source, line, column)


def _duplicate_key_problems(
    node: yaml.Node, loc: Loc, source: str, seen_nodes: set[int]
) -> list[Problem]:
    """Returns a problem at every key that repeats an earlier key of the same mapping."""
    if id(node) in seen_nodes:
        return []
    seen_nodes.add(id(node))
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[tuple[str, str]] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if (key_node.tag, key) in seen:
                problems.append(
                    Problem(
                        (*loc, key),
                        "key appears twice in this block "
                        "(the second would silently replace the first)",
                        source,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                )
            seen.add((key_node.tag, key))
            problems += _duplicate_key_problems(value_node, (*loc, key), source, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_key_problems(item, (*loc, index), source, seen_nodes)
    return problems


def _node_at(root: yaml.Node, loc: Loc) -> tuple[yaml.Node | None, yaml.Node]:
    """Returns the key node and value node at ``loc``.

    When a part of ``loc`` is missing, returns those of the deepest block that exists.
    """
    key: yaml.Node | None = None
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            # The last of repeated keys is the one whose value the data holds.
            matches = [
                (k, v)
                for k, v in node.value
                if isinstance(k, yaml.ScalarNode) and _same_key(k, part)
            ]
            if not matches:
                break
            key, node = matches[-1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            key, node = None, node.value[part]
        else:
            break
    return key, node


def _same_key(key_node: yaml.ScalarNode, part: str | int) -> bool:
    """Returns whether a key node holds the data key ``part`` (as pydantic spells it)."""
    if key_node.tag.endswith(":str"):
        return bool(key_node.value == part)
    try:
        value = _Loader("").construct_object(key_node)
    except yaml.YAMLError:
        return False
    return bool(value == part or str(value) == part)


def _locate(
    loc: Loc, message: str, data: Any, root: yaml.Node, source: str, at_key: bool = False
) -> Problem:
    """Returns a problem placed at the node of ``loc``.

    A scalar value is pointed at itself; a block or list at its key; with ``at_key``, always the
    key (the key itself is the problem, e.g. an unknown field name).
    """
    clean, _, _ = data_loc(loc, data)
    key, node = _node_at(root, clean)
    scalar = isinstance(node, yaml.ScalarNode)
    mark = key.start_mark if key is not None and (at_key or not scalar) else node.start_mark
    return Problem(clean, message, source, mark.line + 1, mark.column + 1)


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
