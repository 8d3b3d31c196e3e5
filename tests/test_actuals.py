"""Actuals files: YAML and CSV forms, every problem located, another scenario's file refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import flexsupply as fs
from flexsupply.errors import ScenarioError
from flexsupply.scenario.actuals_io import load_actuals, loads_actuals, loads_actuals_csv

DATA = Path(__file__).parent / "data" / "replan"


@pytest.fixture
def scenario() -> fs.Scenario:
    return fs.load(DATA / "scenario.yaml")


def problems_of(text: str, scenario: fs.Scenario) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        loads_actuals(text, scenario, "week2.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_yaml_actuals_load_with_every_block(scenario: fs.Scenario) -> None:
    actuals = load_actuals(DATA / "actuals.yaml", scenario)
    assert actuals.as_of_period == 2
    assert actuals.cash == 16850
    assert [(o.supplier, o.product, o.units, o.arrival_period) for o in actuals.orders] == [
        ("QUICK", "DRESS", 80, 2),
        ("QUICK", "TOP", 80, 2),
        ("SLOW", "DRESS", 90, 3),
    ]
    assert [(s.units, s.sold_out) for s in actuals.sales if s.product == "DRESS"] == [
        (0, True),
        (55, True),
    ]
    assert actuals.presale[0].shipped == 25


def test_csv_form_reads_as_the_yaml_form(scenario: fs.Scenario) -> None:
    assert load_actuals(DATA / "actuals.csv", scenario) == load_actuals(
        DATA / "actuals.yaml", scenario
    )


def test_unknown_style_and_supplier_are_located_with_a_hint(scenario: fs.Scenario) -> None:
    text = """\
scenario: replan-demo
as_of_period: 2
cash: 0
sales:
  - {product: DRES, period: 1, units: 5}
orders:
  - {supplier: QUIK, product: TOP, units: 10, period: 1, arrival_period: 2}
"""
    assert problems_of(text, scenario) == [
        "week2.yaml:5:15  sales[0].product: unknown product 'DRES' (did you mean 'DRESS'?)",
        "week2.yaml:7:16  orders[0].supplier: unknown supplier 'QUIK' (did you mean 'QUICK'?)",
    ]


def test_periods_after_the_as_of_period_are_errors(scenario: fs.Scenario) -> None:
    text = """\
scenario: replan-demo
as_of_period: 2
sales:
  - {product: DRESS, period: 3, units: 5}
orders:
  - {supplier: SLOW, product: TOP, units: 10, period: 4, arrival_period: 6}
"""
    assert problems_of(text, scenario) == [
        "week2.yaml:4:30  sales[0].period: period 3 is after the as-of period 2",
        "week2.yaml:6:55  orders[0].period: period 4 is after the as-of period 2",
    ]


def test_shipping_more_presale_than_sold_is_an_error(scenario: fs.Scenario) -> None:
    text = """\
scenario: replan-demo
as_of_period: 2
presale:
  - {product: DRESS, period: 1, shipped: 30}
  - {product: DRESS, period: 2, taken: 5, shipped: 20}
"""
    assert problems_of(text, scenario) == [
        "week2.yaml:5:52  presale[1].shipped: DRESS: 50 presale units shipped by period 2, but "
        "only 45 were sold",
    ]


def test_schema_errors_are_located(scenario: fs.Scenario) -> None:
    text = "scenario: replan-demo\nas_of_period: 2\nstock: {DRESS: -3}\n"
    assert problems_of(text, scenario) == [
        "week2.yaml:3:16  stock.DRESS: must be ≥ 0, got -3",
    ]


def test_actuals_of_another_scenario_are_refused_with_the_reason(scenario: fs.Scenario) -> None:
    problems = problems_of("scenario: autumn-drop\nas_of_period: 2\n", scenario)
    assert problems == [
        "week2.yaml:1:11  scenario: these actuals are for scenario 'autumn-drop', not "
        "'replan-demo'; replan with the scenario file they were recorded for"
    ]


def test_as_of_period_must_leave_periods_to_plan(scenario: fs.Scenario) -> None:
    assert problems_of("scenario: replan-demo\nas_of_period: 6\n", scenario) == [
        "week2.yaml:2:15  as_of_period: must be before the last period 6: nothing is left to plan"
    ]


CSV_HEAD = "record,value,product,supplier,period,arrival_period,units,amount\nscenario,replan-demo,,,,,,\nas_of,,,,2,,,\n"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "sale,,DRESS,,1,,60,\norder,,TOP,SLOWER,1,3,10,\nsale,,DRESS,,5,,1,\n",
            [
                "erp.csv:5  orders[0].supplier: unknown supplier 'SLOWER' (did you mean 'SLOW'?)",
                "erp.csv:6  sales[1].period: period 5 is after the as-of period 2",
            ],
        ),
        ("sale,,DRESS,,1,,-5,\n", ["erp.csv:4  sales[0].units: must be ≥ 0, got -5"]),
    ],
    ids=["cross-checks", "schema"],
)
def test_csv_problems_name_the_line_and_field(
    scenario: fs.Scenario, rows: str, expected: list[str]
) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads_actuals_csv(CSV_HEAD + rows, scenario, "erp.csv")
    assert [str(p) for p in caught.value.problems] == expected


def test_csv_unknown_record_kind_is_an_error(scenario: fs.Scenario) -> None:
    text = "record,value,product,supplier,period,arrival_period,units,amount\nsold,,DRESS,,1,,6,\n"
    with pytest.raises(ScenarioError, match=r"erp.csv:2  record: unknown record 'sold'"):
        loads_actuals_csv(text, scenario, "erp.csv")
