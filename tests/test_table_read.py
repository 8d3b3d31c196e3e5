"""Reading scenario tables: whatever the cells hold, a scenario or a ScenarioError, never a crash."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import small_scenarios, small_seasons

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario import loads
from flexsupply.scenario.schema import Scenario
from flexsupply.scenario.starter import template_text
from flexsupply.scenario.table_layout import scenario_layout
from flexsupply.scenario.table_read import Sheet, read_tables
from flexsupply.scenario.table_write import scenario_tables

LAYOUT = scenario_layout()
HEADERS = sorted(
    {"setting", "value", "x", "1", "2", "7"}
    | {name for table in LAYOUT.tables for name in table.key_columns}
    | {column.name for table in LAYOUT.tables for column in table.columns}
)
CELLS = st.one_of(
    st.none(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["DRESS-01", "QUICK", "week", "TRUE", "1,2", "2025-03-03", "-1"]),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


def sheet(name: str, header: list[Any], rows: list[list[Any]]) -> Sheet:
    return Sheet(
        name, header, rows, lambda row, column: {"sheet": name, "line": row, "column": column}
    )


@st.composite
def sheets(draw: st.DrawFn) -> list[Sheet]:
    names = draw(st.lists(st.sampled_from([*LAYOUT.sheet_names, "extra"]), max_size=6, unique=True))
    found = []
    for name in names:
        header = draw(st.lists(st.sampled_from(HEADERS), max_size=6))
        rows = draw(st.lists(st.lists(CELLS, max_size=8), max_size=4))
        found.append(sheet(name, header, rows))
    return found


def problems(found: list[Sheet]) -> list[Problem]:
    """Returns the problems reading ``found`` raises (none when it reads as a scenario)."""
    try:
        scenario = read_tables(found, "tables", lambda name: {"sheet": name})
    except ScenarioError as error:
        return error.problems
    assert isinstance(scenario, Scenario)
    return []


@settings(max_examples=200, deadline=None)
@given(sheets())
def test_any_tables_give_a_scenario_or_located_problems_never_a_crash(found: list[Sheet]) -> None:
    assert all(problem.sheet is not None for problem in problems(found))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_one_changed_cell_of_a_good_season_is_read_or_reported(data: st.DataObject) -> None:
    tables = scenario_tables(loads(template_text("spring-drop")))
    table = data.draw(st.sampled_from([t for t in tables if t.rows]))
    row = data.draw(st.sampled_from(table.rows))
    row[data.draw(st.integers(0, len(row) - 1))] = data.draw(CELLS)
    found = [sheet(t.name, t.header, t.rows) for t in tables]

    assert all(problem.sheet is not None for problem in problems(found))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2025, 3, 3), datetime.date(2025, 3, 3)),
        ("2025-03-03", "2025-03-03"),
    ],
)
def test_a_date_cell_at_midnight_reads_as_a_date(value: Any, expected: Any) -> None:
    from flexsupply.scenario.table_layout import cell_value

    assert cell_value(value, "date") == expected


@settings(max_examples=50, deadline=None)
@given(small_scenarios())
def test_any_small_season_reads_back_from_its_tables_equal(data: dict[str, Any]) -> None:
    scenario = loads(data)
    tables = scenario_tables(scenario)

    found = [sheet(t.name, t.header, t.rows) for t in tables]

    assert read_tables(found, "tables", lambda name: {"sheet": name}) == scenario


@settings(max_examples=30, deadline=None)
@given(small_seasons())
def test_any_small_season_with_warehouse_and_cash_reads_back_equal(data: dict[str, Any]) -> None:
    scenario = loads(data)

    found = [sheet(t.name, t.header, t.rows) for t in scenario_tables(scenario)]

    assert read_tables(found, "tables", lambda name: {"sheet": name}) == scenario
