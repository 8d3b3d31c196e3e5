r"""Reading scenario YAML text safely: bounded in size, in values and in alias expansion.

The text is composed into PyYAML nodes (which keep their positions), checked for repeated keys
and constructed into plain data. A hostile or mistaken file cannot make this slow or large:

- the text may hold at most ``MAX_INPUT_BYTES`` bytes of UTF-8 and ``MAX_VALUES`` YAML values
  (scalars, lists and mappings), counted once more for each time an alias (``*name``) repeats
  an anchored block, so a "billion laughs" file is refused before anything expands it;
- numbers are read as YAML 1.2 writes them: ``99:00`` is text, not the base-60 number 5940;
- a text that is not Unicode (a lone surrogate escape such as ``"\\ud800"``) is refused where it
  stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

import flexsupply.scenario.base as base
from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.base import lone_surrogates

MAX_INPUT_BYTES = 2_000_000
"""Largest scenario text read [bytes of UTF-8] (the bundled seasons are 1-33 kB)."""
MAX_VALUES = 200_000
"""Most YAML values in one scenario, aliases expanded [values] (spring-drop has 2,929)."""

Loc = tuple[str | int, ...]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
# PyYAML's YAML 1.1 patterns without the base-60 forms (``1:30``), which YAML 1.2 dropped.
_INT_PATTERN = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
# Floats as YAML 1.2 writes them (``1e5`` too, which PyYAML reads as text), without base 60.
_FLOAT_PATTERN = re.compile(
    r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class SizeLimitError(Exception):
    """Raised inside the composer when the text holds more values than ``MAX_VALUES``."""

    def __init__(self, mark: yaml.Mark) -> None:
        """Keeps the position the reader had reached."""
        super().__init__(str(mark))
        self.mark = mark


class _Constructor(yaml.constructor.SafeConstructor):
    """Scalar construction that reports bad values and non-Unicode text as YAML errors."""

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
            value = super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as error:
            shown = f" {node.value!r}" if isinstance(node, yaml.ScalarNode) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read{shown}: {error}", node.start_mark
            ) from None
        if isinstance(value, str) and lone_surrogates(value):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "text must be Unicode, got a lone surrogate escape (\\ud800-\\udfff)",
                node.start_mark,
            )
        return value


class Loader(_Constructor, yaml.SafeLoader):
    """A safe loader that counts values, refuses non-Unicode text and reports bad values."""

    def __init__(self, stream: str) -> None:
        """Starts reading ``stream``; raises ``yaml.YAMLError`` on a character YAML forbids."""
        super().__init__(stream)
        self.values = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Composes one node, counting it (an alias is counted when its expansion is measured).

        Returns:
            The node.

        Raises:
            SizeLimitError: the text holds more than ``MAX_VALUES`` values.
        """
        self.values += 1
        if self.values > MAX_VALUES:
            raise SizeLimitError(self.get_mark())
        node: yaml.Node | None = super().compose_node(parent, index)
        assert node is not None  # the composer only returns None at the end of the stream
        return node


Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(_INT, _INT_PATTERN, list("-+0123456789"))
Loader.add_implicit_resolver(_FLOAT, _FLOAT_PATTERN, list("-+0123456789."))

_FAST_BASE: type[Any] | None = getattr(yaml, "CSafeLoader", None)


class _FastLoader(_Constructor, _FAST_BASE or yaml.SafeLoader):  # type: ignore[misc]
    """``Loader`` on libyaml: several times faster on a valid text (a lighter start-up)."""


_FastLoader.yaml_implicit_resolvers = Loader.yaml_implicit_resolvers


def read_value(text: str) -> Any:
    """Returns one YAML value read as scenario files are read (``1e5`` a number, ``1:30`` text).

    Raises:
        yaml.YAMLError: the text is not YAML.
    """
    loader = Loader(text)
    try:
        return loader.get_single_data()
    except SizeLimitError:
        raise yaml.YAMLError(f"more than {MAX_VALUES:,} values") from None
    finally:
        loader.dispose()


def check_size(size: int, source: str) -> None:
    """Refuses a scenario text of more than ``MAX_INPUT_BYTES`` bytes.

    Raises:
        ScenarioError: the text is too large.
    """
    if size > MAX_INPUT_BYTES:
        message = (
            f"the file has {size:,} bytes, more than the {MAX_INPUT_BYTES:,} a scenario may have; "
            "give long demand tables as signals, or build the Scenario in Python"
        )
        raise ScenarioError([Problem((), message, source, 1, 1)], source)


def parse(text: str, source: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Parses YAML text into its node tree and its data.

    Returns:
        The root node (None for an empty text), the data, and a problem for each repeated key
        (found in the nodes before merge keys ``<<`` are expanded).

    Raises:
        ScenarioError: the text is not valid YAML, or is larger than the limits allow.
    """
    # A character takes 1-4 bytes: only a text near the limit needs encoding to be measured.
    short = len(text) * 4 <= MAX_INPUT_BYTES
    check_size(len(text) if short else len(text.encode("utf-8", "surrogatepass")), source)
    fast = _parse_fast(text, source)
    if fast is not None:
        return fast
    try:
        loader = Loader(text)
    except yaml.YAMLError as error:  # the reader checks every character at once
        raise ScenarioError([yaml_problem(error, text, source)], source) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, []
        _check_expansion(root, source)
        duplicates = _duplicate_key_problems(root, (), source, set())
        return root, loader.construct_document(root), duplicates
    except yaml.YAMLError as error:
        raise ScenarioError([yaml_problem(error, text, source)], source) from None
    except SizeLimitError as error:
        raise ScenarioError([_too_many_values(source, error.mark)], source) from None
    except RecursionError:
        problem = Problem((), "not valid YAML: nested too deeply", source, 1, 1)
        raise ScenarioError([problem], source) from None
    finally:
        loader.dispose()


def _parse_fast(text: str, source: str) -> tuple[yaml.Node | None, Any, list[Problem]] | None:
    """Parses as ``parse`` does, on libyaml; None when libyaml is missing or refuses the text.

    A text libyaml refuses is parsed again in Python, whose messages problems show. The value
    limit is checked on the composed nodes (``_check_expansion``), as libyaml composes in C.
    """
    if _FAST_BASE is None:
        return None
    fast_loader: type[Any] = _FastLoader
    try:
        loader = fast_loader(text)
    except yaml.YAMLError:
        return None
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, []
        _check_expansion(root, source)
        duplicates = _duplicate_key_problems(root, (), source, set())
        return root, loader.construct_document(root), duplicates
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


def _too_many_values(source: str, mark: yaml.Mark) -> Problem:
    line, column = mark.line + 1, mark.column + 1
    message = (
        f"the file holds more than {MAX_VALUES:,} values (numbers, texts, lists and blocks, "
        "each alias *name counted as the block it repeats), more than a scenario may have"
    )
    return Problem((), message, source, line, column)


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuses a node tree that holds more than ``MAX_VALUES`` values once aliases are expanded.

    Each node's expanded size is computed once (aliases share their node), so the check takes
    time in proportion to the text, however large the expansion would be.

    Raises:
        ScenarioError: at the first alias-sharing block past the limit.
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a block that holds itself through an alias counts once
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
                if total > MAX_VALUES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key) + size(value)
                if total > MAX_VALUES:
                    break
        sizes[id(node)] = total
        if total > MAX_VALUES:
            raise ScenarioError([_too_many_values(source, node.start_mark)], source)
        return total

    size(root)


def yaml_problem(error: yaml.YAMLError, text: str, source: str) -> Problem:
    """Returns a PyYAML error as a problem at the position the parser reports."""
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


def limits_text(number: Callable[[float], str] = str) -> str:
    """Returns the paragraph of the scenario reference on the limits every file is held to.

    ``number`` writes a limit for people (the reference writes ``10^8``).
    """
    return (
        "**Limits.** Every number must be finite (`.inf`, `.nan` and numbers written as text "
        'such as `"inf"` are errors, and so are `true`/`false` where a number belongs) and '
        "lie in the range its row gives: quantities of units at most "
        f"{number(base.MAX_UNITS)}, money per unit at most {number(base.MAX_UNIT_MONEY)}, "
        f"other amounts of money at most {number(base.MAX_MONEY)}, capacities at most "
        f"{number(base.MAX_CAPACITY)}, signal counts at most {number(base.MAX_COUNT)}, "
        f"factors at most {number(base.MAX_FACTOR)} and periods at most {base.MAX_PERIODS}. "
        "Numbers are read as YAML 1.2 writes them: `1e5` is a number, `99:00` is text. Ids of "
        "products and suppliers and names of demand scenarios are at most "
        f"{base.MAX_ID_LENGTH} characters, without control or invisible characters or outer "
        "spaces, and no two may differ only by case, spaces, Unicode form or invisible "
        f"characters. A file may have at most {MAX_INPUT_BYTES:,} bytes and {MAX_VALUES:,} "
        "values (numbers, texts, lists and blocks), an alias (`*name`) counting as the block it "
        "repeats."
    )


__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_VALUES",
    "Loader",
    "check_size",
    "limits_text",
    "parse",
    "read_value",
    "yaml_problem",
]
