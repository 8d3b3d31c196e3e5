"""The safe reader: bounded size, bounded alias expansion, YAML 1.2 numbers, Unicode text only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

import flexsupply as fs
from flexsupply.scenario import reader as scenario_reader
from flexsupply.scenario.reader import MAX_INPUT_BYTES, MAX_VALUES, read_value

MINIMAL = (Path(__file__).parent / "data" / "scenario" / "minimal.yaml").read_text(encoding="utf-8")


def alias_bomb(levels: int) -> str:
    """Returns a YAML "billion laughs" block: 9**levels strings from a few hundred bytes."""
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        items = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{items}]")
    return "\n".join(lines) + "\n"


def problems(text: str) -> list[fs.errors.Problem]:
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, "big.yaml")
    return caught.value.problems


@pytest.mark.parametrize("levels", [9, 10])
def test_alias_bomb_is_refused_at_once_with_its_position(levels: int) -> None:
    text = MINIMAL + alias_bomb(levels)
    started = time.perf_counter()

    (problem,) = problems(text)

    assert time.perf_counter() - started < 1.0
    assert f"more than {MAX_VALUES:,} values" in problem.message
    assert problem.file == "big.yaml"
    assert problem.line is not None
    assert problem.line > MINIMAL.count("\n")


def test_aliases_that_stay_within_the_limit_are_read() -> None:
    text = MINIMAL.replace(
        "  - id: SHIRT-02\n    price: 159", "  - id: SHIRT-02\n    price: &shirt 159"
    ).replace("    base_cost: 60", "    base_cost: *shirt")

    scenario = fs.loads(text)

    assert scenario.products[1].base_cost == 159


def test_text_larger_than_the_limit_is_refused_before_it_is_parsed() -> None:
    text = MINIMAL + "#" + "x" * MAX_INPUT_BYTES + "\n"

    (problem,) = problems(text)

    assert f"more than the {MAX_INPUT_BYTES:,} a scenario may have" in problem.message
    assert (problem.line, problem.column) == (1, 1)


def test_file_larger_than_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)

    with pytest.raises(fs.ScenarioError) as caught:
        fs.load(path)

    (problem,) = caught.value.problems
    assert f"has {MAX_INPUT_BYTES + 1:,} bytes" in problem.message
    assert problem.file == str(path)


def test_more_values_than_the_limit_are_refused_where_the_limit_is_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scenario_reader, "MAX_VALUES", 100)
    text = MINIMAL + "extra: [" + ", ".join(["0"] * 200) + "]\n"

    (problem,) = problems(text)

    assert "more than 100 values" in problem.message
    assert problem.line == MINIMAL.count("\n") + 1


def test_a_block_that_holds_itself_is_measured_once() -> None:
    (problem,) = problems(MINIMAL + "extra: &loop [*loop]\n")

    assert problem.message == "unknown field 'extra'"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("99:00", "99:00"),
        ("1:30:00", "1:30:00"),
        ("1e5", 100000.0),
        ("-2.5E-3", -0.0025),
        (".5", 0.5),
        ("1_000", 1000),
        ("0x1F", 31),
        ("12", 12),
        ("1.5", 1.5),
    ],
)
def test_numbers_are_read_as_yaml_1_2_writes_them(text: str, value: object) -> None:
    read = read_value(text)

    assert read == value
    assert type(read) is type(value)


@pytest.mark.parametrize(
    "escape", ["\\ud800", "\\udfff", "a\\udc80b"], ids=["high", "low", "inside"]
)
def test_lone_surrogate_escape_is_refused_where_it_stands(escape: str) -> None:
    text = MINIMAL.replace("  - id: SHIRT-02", f'  - id: SHIRT-02\n    name: "{escape}"')

    (problem,) = problems(text)

    assert "lone surrogate" in problem.message
    assert (problem.line, problem.column) == (10, 11)


def test_read_value_raises_yaml_errors_for_bad_yaml() -> None:
    with pytest.raises(yaml.YAMLError):
        read_value("[1, 2")
