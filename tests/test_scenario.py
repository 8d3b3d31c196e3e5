"""The scenario schema: valid files load, and ``dump`` writes what ``loads`` reads back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.scenario.checks import duplicate_id_problems

SCENARIOS = Path(__file__).parent / "data" / "scenario"
VALID = ["minimal.yaml", "stochastic.yaml"]


def test_minimal_fixture_loads_with_its_values() -> None:
    scenario = fs.load(SCENARIOS / "minimal.yaml")

    assert scenario.name == "minimal"
    assert scenario.horizon.periods == 3
    assert scenario.product_ids == ["DRESS-01", "SHIRT-02"]
    assert scenario.supplier_ids == ["HZ-QUICK", "GZ-SLOW"]
    assert scenario.suppliers[0].capacity == [500, 500, 400]
    assert scenario.suppliers[0].terms[0].moq == 50
    assert scenario.suppliers[1].terms[0].product_ids == ["DRESS-01", "SHIRT-02"]
    assert scenario.presale[0].promise_periods == 2
    assert scenario.demand.units == {"DRESS-01": [100, 120, 80], "SHIRT-02": [40, 40, 40]}


def test_omitted_blocks_take_their_defaults() -> None:
    scenario = fs.load(SCENARIOS / "minimal.yaml")

    assert scenario.horizon.period_length == "week"
    assert scenario.horizon.currency == "CNY"
    assert scenario.cash is None
    assert scenario.reveal_period is None
    assert scenario.objective == "max_profit"
    assert scenario.products[0].return_rate == 0
    assert scenario.products[0].resellable_share == 1


def test_every_block_of_the_stochastic_fixture_loads() -> None:
    scenario = fs.load(SCENARIOS / "stochastic.yaml")

    assert scenario.horizon.start_date == date(2025, 3, 3)
    assert scenario.horizon.period_length == "day"
    assert [future.name for future in scenario.demand.as_scenarios()] == ["hit", "flop"]
    assert scenario.suppliers[0].terms[0].discount_tiers[1].cost_factor == 0.9
    assert scenario.suppliers[0].payment.upfront_share == 0.3
    assert scenario.cash is not None
    assert scenario.cash.initial == 10000
    assert scenario.options.integer_orders is True


def test_deterministic_demand_is_one_scenario_with_probability_one() -> None:
    scenario = fs.load(SCENARIOS / "minimal.yaml")

    (only,) = scenario.demand.as_scenarios()

    assert only.probability == 1
    assert only.units == scenario.demand.units


@pytest.mark.parametrize("name", VALID)
def test_dump_then_loads_round_trips_to_an_equal_scenario(name: str) -> None:
    scenario = fs.load(SCENARIOS / name)

    assert fs.loads(fs.dump(scenario)) == scenario


@pytest.mark.parametrize("name", VALID)
def test_load_and_loads_read_a_file_the_same_way(name: str) -> None:
    path = SCENARIOS / name

    assert fs.load(path) == fs.loads(path.read_text(encoding="utf-8"), str(path))


def test_dump_leaves_out_defaults() -> None:
    text = fs.dump(fs.load(SCENARIOS / "minimal.yaml"))

    assert "currency" not in text
    assert "objective" not in text


amounts = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
"""Numbers every amount field takes: prices and costs are at most 10^7 a unit."""
shares = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario whose numbers, lengths and ids vary."""
    periods = draw(st.integers(1, 6))
    ids = draw(
        st.lists(
            st.from_regex(r"[A-Z]{2,6}-[0-9]{2}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    per_period = st.lists(amounts, min_size=periods, max_size=periods)
    return {
        "horizon": {"periods": periods},
        "products": [
            {"id": product_id, "price": draw(amounts), "return_rate": draw(shares)}
            for product_id in ids
        ],
        "suppliers": [
            {
                "id": "S1",
                "capacity": draw(st.one_of(amounts, per_period)),
                "terms": [{"products": ids, "unit_cost": draw(amounts), "moq": draw(amounts)}],
            }
        ],
        "demand": {"units": {product_id: draw(per_period) for product_id in ids}},
    }


@settings(max_examples=100, deadline=None)
@given(scenario_data())
def test_any_valid_scenario_round_trips_through_dump(data: dict[str, Any]) -> None:
    scenario = fs.Scenario.model_validate(data)

    assert fs.loads(fs.dump(scenario)) == scenario


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"products": [{"id": "A"}, {"id": "B"}]}, [], id="unique"),
        pytest.param(
            {"products": [{"id": "A"}, {"id": "B"}, {"id": "A"}]},
            [(("products", 2, "id"), "id 'A' is already used by products[0]")],
            id="repeated-product",
        ),
        pytest.param(
            {"suppliers": [{"id": "S"}, {"id": "S"}, {"id": "S"}]},
            [
                (("suppliers", 1, "id"), "id 'S' is already used by suppliers[0]"),
                (("suppliers", 2, "id"), "id 'S' is already used by suppliers[0]"),
            ],
            id="repeated-twice",
        ),
        pytest.param({"products": "abc", "suppliers": [1, {"id": 2}]}, [], id="not-lists"),
    ],
)
def test_duplicate_id_problems_point_at_each_repeat(
    data: dict[str, Any], expected: list[tuple[tuple[str | int, ...], str]]
) -> None:
    problems = duplicate_id_problems(data)

    assert [(problem.loc, problem.message) for problem in problems] == expected
