"""--set overrides: dotted paths over the raw scenario data, validated like the file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from flexsupply.errors import ScenarioError
from flexsupply.scenario.overrides import Override, apply_overrides, load_with_overrides

SEASON = Path(__file__).parent / "data" / "overrides" / "season.yaml"


@pytest.fixture
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SEASON.read_text())
    return loaded


def at(data: Any, *path: str | int) -> Any:
    for part in path:
        data = data[part]
    return data


@pytest.mark.parametrize(
    ("option", "path", "expected"),
    [
        ("horizon.periods=5", ("horizon", "periods"), 5),
        ("name=what-if", ("name",), "what-if"),
        ("suppliers.GZ-SLOW.capacity=1500", ("suppliers", 1, "capacity"), 1500),
        ("suppliers.HZ-QUICK.capacity.2=450", ("suppliers", 0, "capacity", 2), 450),
        ("suppliers.HZ-QUICK.capacity=[1, 2, 3]", ("suppliers", 0, "capacity"), [1, 2, 3]),
        ("suppliers.1.terms.0.moq=250", ("suppliers", 1, "terms", 0, "moq"), 250),
        ("suppliers[1].terms[1].moq=250", ("suppliers", 1, "terms", 1, "moq"), 250),
        ("suppliers.-1.terms.-1.moq=250", ("suppliers", 1, "terms", 1, "moq"), 250),
        ("products.TOP-01.price=90.5", ("products", 1, "price"), 90.5),
        ("presale.TOP-01.quantity=70", ("presale", 1, "quantity"), 70),
        ("demand.scenarios.hit.probability=0.5", ("demand", "scenarios", 1, "probability"), 0.5),
        (
            "demand.scenarios.flop.units.TOP-01=[1, 2, 3]",
            ("demand", "scenarios", 0, "units", "TOP-01"),
            [1, 2, 3],
        ),
        ("cash.initial=5000", ("cash", "initial"), 5000),
        ("risk.cvar_weight=0.3", ("risk", "cvar_weight"), 0.3),
        ("options.integer_orders=true", ("options", "integer_orders"), True),
        ("reveal_period=null", ("reveal_period",), None),
    ],
)
def test_set_reaches_nested_fields_and_list_items_by_id_or_index(
    data: dict[str, Any], option: str, path: tuple[str | int, ...], expected: Any
) -> None:
    assert at(apply_overrides(data, [option]), *path) == expected


def test_a_supplier_level_terms_field_sets_every_terms_entry_of_that_supplier(
    data: dict[str, Any],
) -> None:
    new = apply_overrides(data, ["suppliers.GZ-SLOW.moq=50"])

    assert [terms["moq"] for terms in at(new, "suppliers", 1, "terms")] == [50, 50]
    assert at(new, "suppliers", 0, "terms", 0, "moq") == 100


def test_terms_of_one_product_are_split_out_of_a_shared_entry(data: dict[str, Any]) -> None:
    new = apply_overrides(data, ["suppliers.HZ-QUICK.terms.TOP-01.moq=20"])

    shared, own = at(new, "suppliers", 0, "terms")
    assert shared == {**at(data, "suppliers", 0, "terms", 0), "products": ["DRESS-01"]}
    assert own == {"product": "TOP-01", "cost_factor": 1.2, "moq": 20, "lead_time_periods": 1}
    assert load_with_overrides(SEASON, ["suppliers.HZ-QUICK.terms.TOP-01.moq=20"])


def test_a_list_followed_by_a_field_sets_it_on_every_item(data: dict[str, Any]) -> None:
    new = apply_overrides(data, ["presale.promise_periods=1", "products.holding_cost=0.5"])

    assert [order["promise_periods"] for order in new["presale"]] == [1, 1]
    assert [product["holding_cost"] for product in new["products"]] == [0.5, 0.5]


def test_deposit_share_sets_deposits_from_the_order_price_else_the_product_price(
    data: dict[str, Any],
) -> None:
    new = apply_overrides(data, ["presale.deposit_share=0.2"])

    # DRESS-01's order has its own price 180; TOP-01's order takes the product's 80.
    assert [order["deposit"] for order in new["presale"]] == pytest.approx([36.0, 16.0])
    scenario = load_with_overrides(SEASON, ["presale.DRESS-01.deposit_share=0.1"])
    assert [order.deposit for order in scenario.presale] == pytest.approx([18.0, 10.0])


def test_later_overrides_see_earlier_ones(data: dict[str, Any]) -> None:
    new = apply_overrides(data, ["horizon.periods=4", "horizon.periods=6"])

    assert at(new, "horizon", "periods") == 6


def test_the_input_data_and_yaml_aliases_are_left_unchanged() -> None:
    text = (
        SEASON.read_text()
        .replace("    capacity: [500, 500, 400]\n", "    capacity: &cap [700, 700, 700]\n")
        .replace("    capacity: 2000\n", "    capacity: *cap\n")
    )
    data = yaml.safe_load(text)
    before = copy.deepcopy(data)

    new = apply_overrides(data, ["suppliers.GZ-SLOW.capacity.0=1", "presale.deposit_share=0.5"])

    assert data == before
    assert at(new, "suppliers", 1, "capacity") == [1, 700, 700]
    assert at(new, "suppliers", 0, "capacity") == [700, 700, 700]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "suppliers.HZ-QUIK.moq=50",
            "--set suppliers.HZ-QUIK.moq=50  suppliers: no item 'HZ-QUIK' and no field of its "
            "items by that name (did you mean 'HZ-QUICK'?); items here: HZ-QUICK, GZ-SLOW; "
            "or an index 0-1",
        ),
        (
            "suppliers.HZ-QUICK.mqo=50",
            "--set suppliers.HZ-QUICK.mqo=50  suppliers[0]: unknown field 'mqo' (did you mean 'moq'?); "
            "valid here: id, name, kind, capacity,",
        ),
        (
            "horizon.period=5",
            "--set horizon.period=5  horizon: unknown field 'period' (did you mean 'periods'?); "
            "valid here: periods, period_length, start_date, currency",
        ),
        ("presale.7.deposit=1", "--set presale.7.deposit=1  presale: no item 7; indices here: 0-1"),
        (
            "horizon.periods.x=1",
            "--set horizon.periods.x=1  horizon.periods: holds 3, not a block: there is no 'x' in it",
        ),
        (
            "demand.scenarios.flop.units.SHOES.0=1",
            "demand.scenarios[0].units: unknown key 'SHOES'; valid here: DRESS-01, TOP-01",
        ),
        ("warehouse=", None),
        ("periods", "--set periods  expected PATH=VALUE, e.g. suppliers.QR-HZ.moq=50"),
        ("=5", "--set =5  expected PATH=VALUE"),
        ("horizon.periods=[3", "--set horizon.periods=[3  the value '[3' is not valid YAML"),
        (
            "presale.deposit_share=1.5",
            "--set presale.deposit_share=1.5  presale[0].deposit_share: must be a share between "
            "0 and 1, got 1.5",
        ),
    ],
)
def test_a_bad_path_names_the_option_and_what_is_valid_there(
    data: dict[str, Any], option: str, message: str | None
) -> None:
    if message is None:  # an empty value is YAML null: allowed here, validation decides
        assert apply_overrides(data, [option])["warehouse"] is None
        return
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(data, [option])

    assert message in str(caught.value)
    assert str(caught.value).startswith("1 problem in --set options")


def test_every_bad_option_is_reported_at_once(data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(data, ["nope=1", "horizon.periods=4", "suppliers.X.moq=1"])

    assert [problem.file for problem in caught.value.problems] == [
        "--set nope=1",
        "--set suppliers.X.moq=1",
    ]


def test_a_value_the_schema_refuses_is_reported_at_its_set_not_at_a_file_line() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_with_overrides(SEASON, ["suppliers.GZ-SLOW.terms.TOP-01.moq=-5", "horizon.periods=x"])

    assert str(caught.value).splitlines() == [
        f"2 problems in {SEASON}",
        "  --set horizon.periods=x  horizon.periods: expected a whole number, got 'x'",
        "  --set suppliers.GZ-SLOW.terms.TOP-01.moq=-5  suppliers[1].terms[1].moq: must be ≥ 0, got -5",
    ]


def test_a_problem_in_a_block_the_set_changed_keeps_its_line_and_names_the_set() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_with_overrides(SEASON, ["suppliers.GZ-SLOW.terms.DRESS-01.cost_factor=1.1"])

    (problem,) = caught.value.problems
    assert problem.file == str(SEASON)
    assert problem.line == 15
    assert problem.message == (
        "give exactly one of unit_cost or cost_factor "
        "(after --set suppliers.GZ-SLOW.terms.DRESS-01.cost_factor=1.1)"
    )


def test_a_problem_elsewhere_in_the_file_keeps_its_file_position() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_with_overrides(SEASON, ["horizon.periods=2"])

    assert all(problem.file == str(SEASON) and problem.line for problem in caught.value.problems)
    assert "demand needs one value per period: expected 2, got 3" in str(caught.value)


def test_a_reference_to_an_unknown_product_is_blamed_on_its_set() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_with_overrides(SEASON, ["presale.0.product=DRES-01"])

    (problem,) = caught.value.problems
    assert problem.file == "--set presale.0.product=DRES-01"
    assert problem.message == "unknown product 'DRES-01' (did you mean 'DRESS-01'?)"


def test_no_overrides_loads_the_file_as_it_is() -> None:
    scenario = load_with_overrides(SEASON, [])

    assert scenario.suppliers[0].terms[0].moq == 100


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_any_non_negative_moq_set_on_a_supplier_reaches_every_one_of_its_terms(moq: float) -> None:
    scenario = load_with_overrides(SEASON, [Override.parse(f"suppliers.GZ-SLOW.moq={moq!r}")])

    assert [terms.moq for terms in scenario.suppliers[1].terms] == [moq, moq]
