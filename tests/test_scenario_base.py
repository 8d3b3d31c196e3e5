"""The shared number and id types: every number finite and in range, ids told apart by people."""

from __future__ import annotations

import math
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel

import flexsupply as fs
from flexsupply.scenario import schema
from flexsupply.scenario.base import id_key

MINIMAL = (Path(__file__).parent / "data" / "scenario" / "minimal.yaml").read_text(encoding="utf-8")


def _blocks() -> list[type[BaseModel]]:
    return [
        model
        for model in vars(schema).values()
        if isinstance(model, type) and issubclass(model, schema.Model) and model is not schema.Model
    ]


def _numbers(annotation: Any, metadata: tuple[Any, ...] = ()) -> list[tuple[type, list[Any]]]:
    """Returns each number type inside a field's type, with the metadata that applies to it."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        inner = [m for item in extra for m in getattr(item, "metadata", [item])]
        return _numbers(base, (*metadata, *inner))
    if origin in (typing.Union, types.UnionType, list, dict):
        args = typing.get_args(annotation)
        args = args[1:] if origin is dict else args
        return [found for arg in args for found in _numbers(arg, metadata)]
    if annotation in (int, float):
        return [(annotation, list(metadata))]
    return []


NUMBER_FIELDS = [
    pytest.param(block, name, kind, metadata, id=f"{block.__name__}.{name}")
    for block in _blocks()
    for name, info in block.model_fields.items()
    for kind, metadata in _numbers(info.annotation, tuple(info.metadata))
]


@pytest.mark.parametrize(("block", "name", "kind", "metadata"), NUMBER_FIELDS)
def test_every_number_field_has_an_upper_and_a_lower_bound(
    block: type[BaseModel], name: str, kind: type, metadata: list[Any]
) -> None:
    del block, name, kind
    assert any(isinstance(m, annotated_types.Ge | annotated_types.Gt) for m in metadata)
    assert any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in metadata)


@pytest.mark.parametrize(("block", "name", "kind", "metadata"), NUMBER_FIELDS)
@pytest.mark.parametrize("value", [True, "5", math.inf, -math.inf, math.nan])
def test_every_number_field_refuses_bools_text_and_non_finite_values(
    block: type[BaseModel], name: str, kind: type, metadata: list[Any], value: Any
) -> None:
    del metadata, kind
    validator = block.__pydantic_validator__
    with pytest.raises(ValueError, match=name):
        validator.validate_assignment(block.model_construct(), name, value)


def test_the_number_fields_were_found() -> None:
    names = {param.id for param in NUMBER_FIELDS}

    assert {"Product.price", "Cash.initial", "Risk.cvar_weight", "SupplyTerms.moq"} <= names
    assert len(names) > 60


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param("price: 299", "price: .inf", "expected a finite number, got inf", id="inf"),
        pytest.param("price: 299", "price: -.inf", "expected a finite number", id="minus-inf"),
        pytest.param("price: 299", "price: .nan", "expected a finite number, got nan", id="nan"),
        pytest.param("price: 299", 'price: "inf"', "expected a number, got 'inf'", id="inf-text"),
        pytest.param("price: 299", "price: Infinity", "got 'Infinity'", id="infinity"),
        pytest.param("price: 299", "price: 1e308", "must be ≤ 10,000,000, got 1e+308", id="1e308"),
        pytest.param("price: 299", "price: 1e15", "must be ≤ 10,000,000", id="1e15"),
        pytest.param("price: 299", "price: yes", "expected a number, got True", id="bool"),
        pytest.param("price: 299", "price: 99:00", "expected a number, got '99:00'", id="base-60"),
        pytest.param("price: 299", 'price: "299"', "expected a number, got '299'", id="text"),
        pytest.param(
            "lead_time_periods: 1",
            "lead_time_periods: 1000000000000000000",
            "must be ≤ 520, got 1000000000000000000",
            id="lead-time",
        ),
        pytest.param("moq: 50", "moq: 1.0e+9", "must be ≤ 100,000,000", id="moq"),
        pytest.param("[100, 120, 80]", "[100, .inf, 80]", "expected a finite number", id="demand"),
        pytest.param("capacity: 2000", "capacity: .inf", "finite", id="capacity"),
        pytest.param("quantity: 200", "quantity: .inf", "finite", id="presale-quantity"),
    ],
)
def test_non_finite_absurd_and_non_numbers_are_located_errors(
    old: str, new: str, message: str
) -> None:
    assert MINIMAL.count(old) == 1
    text = MINIMAL.replace(old, new)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if new.split("\n")[0] in row)

    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, "m.yaml")

    (problem,) = caught.value.problems
    assert message in problem.message
    assert (problem.file, problem.line) == ("m.yaml", line)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("cash: {initial: .nan}", "cash.initial: expected a finite number, got nan"),
        ("cash: {initial: -.inf}", "cash.initial: expected a finite number, got -inf"),
        (
            "cash: {initial: 1.0e+12}",
            "cash.initial: must be ≤ 100,000,000,000, got 1000000000000.0",
        ),
        ("risk: {cvar_weight: .inf}", "risk.cvar_weight: expected a finite number, got inf"),
    ],
)
def test_cash_and_risk_numbers_must_be_finite(block: str, message: str) -> None:
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(MINIMAL + block + "\n", "m.yaml")

    assert [str(p).split("  ", 1)[1] for p in caught.value.problems] == [message]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("DRESS-01", "dress-01", id="case"),
        pytest.param("DRESS-01", "DRESS -01", id="inner-space"),
        pytest.param("DRESS-01", "ＤＲＥＳＳ-01", id="full-width"),
        pytest.param("DRESS-01", "DRESS\u200b-01", id="zero-width"),
        pytest.param("Café", "Cafe\u0301", id="unicode-form"),
    ],
)
def test_ids_people_cannot_tell_apart_have_one_key(first: str, second: str) -> None:
    assert id_key(first) == id_key(second)
    assert id_key(first) != id_key("DRESS-02")


@pytest.mark.parametrize(
    ("second_id", "message"),
    [
        pytest.param(
            "dress-01",
            "id 'dress-01' is already used by products[0] as 'DRESS-01': ids may not differ only "
            "by case, spaces, Unicode form or invisible characters",
            id="case",
        ),
        pytest.param(
            "D RESS-01",
            "id 'D RESS-01' is already used by products[0] as 'DRESS-01'",
            id="inner-space",
        ),
        pytest.param(
            "DRESS\\u200b-01",
            "must not contain control or invisible characters, got U+200B",
            id="zero-width",
        ),
        pytest.param("'DRESS-01 '", "must not start or end with a space", id="trailing-space"),
    ],
)
def test_near_duplicate_product_ids_are_errors_naming_both(second_id: str, message: str) -> None:
    quoted = second_id if second_id.startswith("'") else f'"{second_id}"'
    text = MINIMAL.replace("id: SHIRT-02", f"id: {quoted}")

    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, "m.yaml")

    located = [p for p in caught.value.problems if p.path == "products[1].id"]
    assert len(located) == 1
    assert message in located[0].message
    assert located[0].line == 9


def test_near_duplicate_scenario_names_are_errors() -> None:
    text = MINIMAL.replace(
        "demand:\n  units:",
        "demand:\n  scenarios:\n    - name: hit\n      probability: 0.5\n      units: {}\n"
        "    - name: HIT\n      probability: 0.5\n      units: {}\n  old_units:",
    ).split("  old_units:")[0]

    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, "m.yaml")

    (problem,) = caught.value.problems
    assert problem.path == "demand.scenarios[1].name"
    assert "appears twice: demand.scenarios[0].name (as 'hit')" in problem.message


def test_lone_surrogate_in_python_data_is_refused() -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        fs.Scenario.model_validate(
            {
                "horizon": {"periods": 1},
                "products": [{"id": "A", "name": "\ud800"}],
                "suppliers": [{"id": "S", "terms": [{"product": "A", "unit_cost": 1}]}],
            }
        )
