"""Scenarios from Python objects (``fs.loads`` of a mapping): ERP values and data frames."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.errors import ScenarioError
from flexsupply.scenario.objects import plain


def season(**values: Any) -> dict[str, Any]:
    """A plain-Python season; ``values`` replace the price, MOQ, demand, start date."""
    given_values = {
        "price": 129.5,
        "moq": 50,
        "periods": 3,
        "demand": [10.0, 20.0, 30.0],
        "start": datetime.date(2025, 3, 3),
        "deposit": 20.0,
    } | values
    return {
        "name": "erp",
        "horizon": {"periods": given_values["periods"], "start_date": given_values["start"]},
        "products": [{"id": "DRESS-01", "price": given_values["price"]}],
        "suppliers": [
            {
                "id": "QUICK",
                "terms": [{"product": "DRESS-01", "unit_cost": 40, "moq": given_values["moq"]}],
            }
        ],
        "presale": [
            {
                "product": "DRESS-01",
                "period": 1,
                "quantity": 5,
                "deposit": given_values["deposit"],
                "promise_periods": 1,
            }
        ],
        "demand": {"units": {"DRESS-01": given_values["demand"]}},
    }


@pytest.mark.parametrize(
    "values",
    [
        {"price": decimal.Decimal("129.50"), "moq": decimal.Decimal("50")},
        {"moq": np.int64(50), "periods": np.int64(3), "price": np.float64(129.5)},
        {"demand": np.array([10.0, 20.0, 30.0])},
        {"demand": pd.Series([10, 20, 30]), "start": pd.Timestamp("2025-03-03")},
        {"deposit": np.float32(20.0), "start": datetime.datetime(2025, 3, 3)},
        {"demand": (10, 20, 30)},
    ],
    ids=["decimal", "numpy-scalars", "numpy-array", "pandas", "float32-datetime", "tuple"],
)
def test_erp_values_give_the_same_scenario_as_plain_python(values: dict[str, Any]) -> None:
    assert fs.loads(season(**values)) == fs.loads(season())


def test_loads_takes_yaml_text_too() -> None:
    assert fs.loads(fs.dump(fs.loads(season()))) == fs.loads(season())


def test_bad_data_gives_every_problem_with_its_path_and_no_pydantic_error() -> None:
    data = season(price=decimal.Decimal("-5"))
    data["suppliers"][0]["terms"][0]["product"] = "DRES-01"

    with pytest.raises(ScenarioError) as caught:
        fs.loads(data)

    assert [str(problem) for problem in caught.value.problems] == [
        "products[0].price: must be ≥ 0, got -5",
        "suppliers[0].terms[0].product: unknown product 'DRES-01' (did you mean 'DRESS-01'?)",
    ]
    assert str(caught.value).startswith("2 problems in <data>")


def test_a_value_no_number_can_stand_for_is_reported_not_raised() -> None:
    with pytest.raises(ScenarioError, match=r"products\[0\].price: expected a number"):
        fs.loads(season(price=object()))


def test_not_a_mapping_is_one_problem() -> None:
    with pytest.raises(ScenarioError, match="expected a mapping of scenario blocks"):
        fs.loads([1, 2, 3])  # type: ignore[arg-type]


# From the presale deposit (20) up: a lower price would leave a negative balance, an error.
@given(st.decimals(min_value=20, max_value=10**6, places=2, allow_nan=False))
def test_any_decimal_price_reads_as_its_float(price: decimal.Decimal) -> None:
    assert fs.loads(season(price=price)).products[0].price == float(price)


def test_plain_turns_numpy_and_pandas_missing_values_into_none() -> None:
    assert plain({"a": pd.NA, "b": pd.NaT, "c": np.bool_(True), "d": [np.int8(3)]}) == {
        "a": None,
        "b": None,
        "c": True,
        "d": [3],
    }


def frames() -> dict[str, pd.DataFrame]:
    return {
        "products": pd.DataFrame({"id": ["DRESS-01", "TOP-01"], "price": [129.0, 79.0]}),
        "suppliers": pd.DataFrame({"id": ["QUICK"], "capacity": [np.nan]}),
        "supplier_terms": pd.DataFrame(
            {
                "supplier": ["QUICK"],
                "products": ["DRESS-01, TOP-01"],
                "unit_cost": [40],
                "moq": [50],
            }
        ),
        "demand": pd.DataFrame({"product": ["DRESS-01", "TOP-01"], 1: [10, 5], 2: [20, 5]}),
    }


def test_one_frame_per_table_gives_the_scenario_of_the_workbook_layout() -> None:
    scenario = fs.scenario_from_frames(frames(), settings={"horizon.periods": np.int64(2)})

    assert scenario.product_ids == ["DRESS-01", "TOP-01"]
    assert scenario.suppliers[0].capacity is None
    assert scenario.suppliers[0].terms[0].products == ["DRESS-01", "TOP-01"]
    assert scenario.demand.units == {"DRESS-01": [10, 20], "TOP-01": [5, 5]}


def test_frame_problems_name_the_table_row_label_and_column() -> None:
    tables = frames()
    tables["products"] = tables["products"].set_axis(["a", "b"])
    tables["products"].loc["b", "price"] = -1
    tables["supplier_terms"].loc[0, "moq"] = -5

    with pytest.raises(ScenarioError) as caught:
        fs.scenario_from_frames(tables, settings={"horizon.periods": 2})

    assert [str(problem) for problem in caught.value.problems] == [
        "products!row b, price  products[1].price: must be ≥ 0, got -1.0",
        "supplier_terms!row 0, moq  suppliers[0].terms[0].moq: must be ≥ 0, got -5",
    ]
