"""A seeded mutator of scenario files, and the checks every mutated file must pass.

Used by ``tests/test_scenario_fuzz.py`` (a few hundred cases in the suite) and by
``benchmarks/fuzz.py`` (thousands, with counts written to ``benchmarks/results/``). Each case
takes a bundled scenario or template and changes it the way a careless or hostile user might:
hostile numbers (``.inf``, ``1e308``, ``yes``, ``99:00``), hostile text (lone surrogates,
invisible characters, formula and markup starters), near-duplicate ids, deleted, repeated or cut
lines, unknown keys and alias bombs. ``check_case`` then loads the text and says what went wrong,
if anything: only a ``ScenarioError`` may be raised, every problem must point at a line, a case
must take less than a second, and an accepted scenario must hold only finite numbers.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import flexsupply as fs
from flexsupply.scenario.base import id_key

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    [
        *(ROOT / "scenarios").glob("*.yaml"),
        *(ROOT / "flexsupply" / "templates").glob("*.yaml"),
        ROOT / "tests" / "data" / "scenario" / "minimal.yaml",
    ]
)
"""The files mutated: every bundled scenario, every template and the minimal test scenario."""
CASE_SECONDS = 1.0
"""Longest a case may take [CPU seconds of this process: a busy machine does not stretch it]."""

HOSTILE_NUMBERS = [
    ".inf",
    "-.inf",
    ".nan",
    '"inf"',
    "Infinity",
    "1e308",
    "1e15",
    "-1",
    "yes",
    "99:00",
    "0x7fffffffffffffff",
    "100000000000000000000",
    '"12"',
    "null",
    "[]",
    "{}",
    "1e-320",
    "-0.0",
    "2.5",
    "0",
]
HOSTILE_TEXTS = [
    '"\\ud800"',
    '"A\\u200bB"',
    '"$\\\\frac$"',
    "\"=HYPERLINK('http://x')\"",
    '"+1+2"',
    '"@SUM(A1)"',
    '"<script>alert(1)</script>"',
    '"\\t-x"',
    '""',
    '" padded "',
    '"ＤＲＥＳＳ"',
    "2025-13-45",
    "9999-12-31",
]
_NUMBER = re.compile(r"(?<=[:\[,]\s)(-?\d[\d_.eE+-]*)(?=\s*[,\]}\n#])")
_TEXT = re.compile(r"(?<=: )([A-Za-z][\w.-]*)(?=\s*[,}\n#])")


@dataclass(frozen=True)
class Case:
    """One mutated scenario text."""

    source: str
    mutation: str
    text: str


@dataclass(frozen=True)
class Outcome:
    """What loading one case gave."""

    case: Case
    result: str
    """``accepted``, ``refused`` (a ScenarioError) or ``failed`` (any check broken)."""
    seconds: float
    failure: str = ""


def _replace_number(text: str, rng: random.Random) -> str:
    spots = list(_NUMBER.finditer(text))
    if not spots:
        return text
    spot = rng.choice(spots)
    return text[: spot.start()] + rng.choice(HOSTILE_NUMBERS) + text[spot.end() :]


def _replace_text(text: str, rng: random.Random) -> str:
    spots = list(_TEXT.finditer(text))
    if not spots:
        return text
    spot = rng.choice(spots)
    return text[: spot.start()] + rng.choice(HOSTILE_TEXTS) + text[spot.end() :]


def _near_duplicate_id(text: str, rng: random.Random) -> str:
    ids = re.findall(r"\bid: ([A-Za-z][\w-]*)", text)
    if len(ids) < 2:
        return text
    first, second = rng.sample(ids, 2)
    variant = rng.choice(
        [first.lower(), first.swapcase(), f'"{first} "', f'"{first[:1]}\\u200b{first[1:]}"']
    )
    return text.replace(f"id: {second}", f"id: {variant}", 1)


def _lines(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    kind = rng.randrange(4)
    if kind == 0:
        del lines[index]
    elif kind == 1:
        lines.insert(index, lines[index])
    elif kind == 2:
        other = rng.randrange(len(lines))
        lines[index], lines[other] = lines[other], lines[index]
    else:
        lines[index] = " " * rng.randrange(1, 4) + lines[index]
    return "".join(lines)


def _cut(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text))]


def _characters(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text))
    junk = rng.choice(["\x00", "\t", "\u200b", "&", "*", "!", "%", "{", "]", "'", '"', "\ufeff"])
    return text[:at] + junk + text[at:]


def _unknown_keys(text: str, rng: random.Random) -> str:
    count = rng.choice([1, 3, 50])
    return text + "".join(f"unknown_{rng.randrange(10**6)}_{i}: {i}\n" for i in range(count))


def _alias_bomb(text: str, rng: random.Random) -> str:
    levels = rng.randrange(4, 12)
    lines = ['bomb0: &b0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, levels):
        lines.append(f"bomb{level}: &b{level} [{', '.join([f'*b{level - 1}'] * 9)}]")
    return text + "\n".join(lines) + "\n"


def _data_leaf(text: str, rng: random.Random) -> str:
    """Sets one leaf of the parsed data to a hostile Python value and writes the YAML again."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, OverflowError):  # e.g. a date 2025-13-45
        return text
    paths: list[tuple[Any, Any]] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if id(node) in seen:  # a block repeated through an alias is walked once
            return
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, dict | list) and value:
                walk(value)
            else:
                paths.append((node, key))

    if not isinstance(data, dict):
        return text
    walk(data)
    node, key = rng.choice(paths)
    node[key] = rng.choice(
        [math.inf, -math.inf, math.nan, 1e308, True, -5, 10**20, "", [], {}, None, "x" * 300]
    )
    try:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return text


MUTATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "number": _replace_number,
    "text": _replace_text,
    "near-duplicate-id": _near_duplicate_id,
    "lines": _lines,
    "cut": _cut,
    "characters": _characters,
    "unknown-keys": _unknown_keys,
    "alias-bomb": _alias_bomb,
    "data-leaf": _data_leaf,
}
"""Each kind of mutation by name."""


def cases(count: int, seed: int) -> list[Case]:
    """Returns ``count`` mutated scenario texts, the same ones for the same seed.

    Each case applies one to three mutations to one source file.
    """
    rng = random.Random(seed)
    texts = {path: path.read_text(encoding="utf-8") for path in SOURCES}
    made = []
    for _ in range(count):
        path = rng.choice(SOURCES)
        text = texts[path]
        names = [rng.choice(list(MUTATIONS)) for _ in range(rng.choice([1, 1, 2, 3]))]
        for name in names:
            text = MUTATIONS[name](text, rng)
        made.append(Case(path.name, "+".join(names), text))
    return made


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


def check_case(case: Case) -> Outcome:
    """Loads one case and checks what came back.

    Returns:
        The outcome; ``failure`` says which check broke (empty when none did).
    """
    started = time.process_time()
    failure = ""
    try:
        scenario = fs.loads(case.text, "fuzz.yaml")
    except fs.ScenarioError as error:
        result = "refused"
        unlocated = [p for p in error.problems if p.line is None or p.file != "fuzz.yaml"]
        if not error.problems:
            failure = "ScenarioError without problems"
        elif unlocated:
            failure = f"problem without a line: {unlocated[0]}"
    except Exception as error:  # any other exception is what the fuzzing looks for
        result = "failed"
        failure = f"{type(error).__name__}: {error}"[:300]
    else:
        result = "accepted"
        numbers = _numbers(scenario.model_dump())
        ids = [*scenario.product_ids, *scenario.supplier_ids]
        if not all(math.isfinite(n) for n in numbers):
            failure = "accepted a non-finite number"
        elif len({id_key(i) for i in scenario.product_ids}) < len(scenario.product_ids):
            failure = f"accepted near-duplicate ids {ids}"
    seconds = time.process_time() - started
    if not failure and seconds > CASE_SECONDS:
        failure = f"took {seconds:.2f} s"
    if failure:
        result = "failed"
    return Outcome(case, result, seconds, failure)


__all__ = ["CASE_SECONDS", "MUTATIONS", "SOURCES", "Case", "Outcome", "cases", "check_case"]
