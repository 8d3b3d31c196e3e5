"""Plan files: CSV tables, the Excel workbook with the same numbers, dates, and no openpyxl."""

from __future__ import annotations

import csv
import logging
import math
import sys
import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.plan.outputs import (
    EXCEL_SKIPPED,
    TABLE_NAMES,
    plan_tables,
    weighted_quantile,
    write_outputs,
)

DATA = Path(__file__).parent / "data"
DATED = DATA / "outputs" / "dated.yaml"
UNDATED = DATA / "cli" / "small.yaml"
CSV_NAMES = list(TABLE_NAMES)


@pytest.fixture(scope="module", params=[DATED, UNDATED], ids=["dated", "undated"])
def plan(request: pytest.FixtureRequest) -> fs.Plan:
    return fs.solve(fs.load(request.param))


@pytest.fixture(scope="module")
def dated_plan() -> fs.Plan:
    return fs.solve(fs.load(DATED))


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def rows_by_header(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def same_cell(text: str, value: object) -> bool:
    """Whether a CSV cell and a workbook cell hold the same thing (number, date, text, empty)."""
    if value is None:
        return text == ""
    if isinstance(value, datetime):
        return text == value.date().isoformat()
    if isinstance(value, int | float):
        return float(text) == value
    return text == value


def test_plan_xlsx_opens_with_openpyxl_and_holds_the_same_numbers_as_the_csv_files(
    plan: fs.Plan, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    write_outputs(plan, tmp_path)

    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")

    assert book.sheetnames == CSV_NAMES
    for name in CSV_NAMES:
        table = read_csv(tmp_path / f"{name}.csv")
        sheet = [list(row) for row in book[name].iter_rows(values_only=True)]
        assert len(sheet) == len(table), name
        titles = {c.name: c.title for t in plan_tables(plan) if t.name == name for c in t.columns}
        assert list(sheet[0]) == [titles[column] for column in table[0]], name
        for csv_row, sheet_row in zip(table[1:], sheet[1:], strict=True):
            assert len(csv_row) == len(sheet_row)
            mismatched = [
                (text, value)
                for text, value in zip(csv_row, sheet_row, strict=True)
                if not same_cell(text, value)
            ]
            assert not mismatched, (name, csv_row)
    numbers = [
        value
        for name in CSV_NAMES
        for row in book[name].iter_rows(min_row=2, values_only=True)
        for value in row
        if isinstance(value, int | float)
    ]
    assert any(value != 0 for value in numbers)


def test_every_file_is_written_and_named_in_order(plan: fs.Plan, tmp_path: Path) -> None:
    written = write_outputs(plan, tmp_path / "new" / "folder")

    names = [path.name for path in written]
    assert names == ["plan.json", *(f"{name}.csv" for name in CSV_NAMES), "plan.xlsx"]
    assert all(path.is_file() for path in written)
    folder = tmp_path / "new" / "folder"
    assert (folder / "plan.json").read_text(encoding="utf-8") == plan.to_json()
    assert not list((tmp_path / "new" / "folder").glob("*.tmp"))


def test_csv_headers_and_row_counts_match_the_plan(plan: fs.Plan, tmp_path: Path) -> None:
    write_outputs(plan, tmp_path)
    dated = plan.start_date is not None
    periods = plan.inventory.shape[2]

    orders = rows_by_header(tmp_path / "orders.csv")
    inventory = rows_by_header(tmp_path / "inventory.csv")
    kpis = rows_by_header(tmp_path / "kpis.csv")
    presale = rows_by_header(tmp_path / "presale.csv")

    assert len(orders) == len(plan.orders) > 0
    assert len(inventory) == len(plan.products) * periods
    assert len(presale) == len(plan.presale)
    assert ("period_start" in inventory[0]) is dated
    assert ("arrival_date" in orders[0]) is dated
    assert ("due_date" in presale[0]) is dated
    assert read_csv(tmp_path / "kpis.csv")[0] == ["name", "value", "unit"]
    for row, order in zip(orders, plan.orders, strict=True):
        assert (row["supplier"], row["product"], int(row["period"])) == (
            order.supplier,
            order.product,
            order.period,
        )
        assert float(row["quantity"]) == pytest.approx(order.quantity, abs=1e-4)
        assert row["scenario"] == (order.scenario or "")
        assert row["stage"] == ("first" if order.scenario is None else "reorder")
    expected = plan.expected_inventory
    for row in inventory:
        p, t = plan.products.index(row["product"]), int(row["period"]) - 1
        assert float(row["expected_stock"]) == pytest.approx(expected[p, t], abs=1e-4)
        band = [float(row["p10_stock"]), float(row["p90_stock"])]
        assert band[0] <= band[1]
        assert all(np.isclose(plan.inventory[:, p, t], value).any() for value in band)
    by_name = {row["name"]: row for row in kpis}
    assert float(by_name["expected_profit"]["value"]) == pytest.approx(
        plan.kpis.expected_profit, abs=0.005
    )
    assert by_name["expected_profit"]["unit"] == plan.currency
    assert by_name["fill_rate"]["unit"] == "share"
    assert by_name["leftover_units"]["unit"] == "units"
    assert float(by_name["cost_purchase"]["value"]) == pytest.approx(
        plan.kpis.costs["purchase"], abs=0.005
    )
    assert by_name["cash_low_point"]["value"] == (
        "" if plan.kpis.cash_low_point is None else by_name["cash_low_point"]["value"]
    )
    assert {f"profit_{name}" for name in plan.scenarios} <= set(by_name)


def test_periods_carry_their_start_dates_when_the_horizon_has_one(
    dated_plan: fs.Plan, tmp_path: Path
) -> None:
    write_outputs(dated_plan, tmp_path)
    first_monday = date(2025, 3, 3)

    def week(period: str) -> str:
        return (first_monday + timedelta(weeks=int(period) - 1)).isoformat()

    inventory = rows_by_header(tmp_path / "inventory.csv")
    orders = rows_by_header(tmp_path / "orders.csv")
    presale = rows_by_header(tmp_path / "presale.csv")
    assert [row["period_start"] for row in inventory[:3]] == [
        "2025-03-03",
        "2025-03-10",
        "2025-03-17",
    ]
    assert all(row["arrival_date"] == week(row["arrival_period"]) for row in orders)
    assert all(row["period_start"] == week(row["period"]) for row in orders)
    assert presale[0]["due_date"] == week(presale[0]["due_period"]) == "2025-03-10"
    assert dated_plan.to_dict()["horizon"] == {
        "periods": 3,
        "period_length": "week",
        "start_date": "2025-03-03",
    }


def test_presale_rows_say_what_shipped_by_the_due_period(
    dated_plan: fs.Plan, tmp_path: Path
) -> None:
    write_outputs(dated_plan, tmp_path)

    (row,) = rows_by_header(tmp_path / "presale.csv")

    (service,) = dated_plan.presale
    assert (row["product"], int(row["period"]), int(row["due_period"])) == ("DRESS-01", 1, 2)
    assert float(row["units"]) == service.units == 30
    assert float(row["shipped_by_due"]) == pytest.approx(
        sum(service.shipped_by_period[: service.due_period])
    )
    assert float(row["on_time_share"]) == pytest.approx(service.on_time_share)


def without_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes ``import openpyxl`` fail as it does when the extra is not installed."""
    for name in list(sys.modules):
        if name == "openpyxl" or name.startswith("openpyxl."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "openpyxl", None)


def test_without_openpyxl_the_csv_files_are_written_and_the_workbook_skipped_with_a_notice(
    dated_plan: fs.Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_openpyxl(monkeypatch)
    notes: list[str] = []

    written = write_outputs(dated_plan, tmp_path, notify=notes.append)

    assert notes == ['plan.xlsx skipped: pip install "flexsupply[excel]"'] == [EXCEL_SKIPPED]
    assert [path.name for path in written] == [
        "plan.json",
        *(f"{n}.csv" for n in CSV_NAMES),
    ]
    assert not (tmp_path / "plan.xlsx").exists()


def test_without_openpyxl_and_no_notify_the_notice_is_logged(
    dated_plan: fs.Plan,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    without_openpyxl(monkeypatch)

    with caplog.at_level(logging.WARNING, logger="flexsupply.plan.outputs"):
        write_outputs(dated_plan, tmp_path)

    assert caplog.messages == [EXCEL_SKIPPED]


def test_solve_out_dir_names_every_file_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["solve", str(DATED), "--out-dir", str(tmp_path), "--quiet"])

    assert result.exit_code == 0, result.output
    wrote = [line for line in result.output.splitlines() if line.startswith("Wrote ")]
    assert wrote == [
        f"Wrote {tmp_path / name}"
        for name in ["plan.json", *(f"{n}.csv" for n in CSV_NAMES), "plan.xlsx"]
    ]


def test_solve_out_dir_without_openpyxl_succeeds_and_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_openpyxl(monkeypatch)

    result = CliRunner().invoke(main, ["solve", str(DATED), "--out-dir", str(tmp_path), "--quiet"])

    assert result.exit_code == 0
    assert "Traceback" not in result.output
    assert EXCEL_SKIPPED in result.output.splitlines()
    assert (tmp_path / "kpis.csv").is_file()
    assert not (tmp_path / "plan.xlsx").exists()


def lower_quantile(values: list[float], probs: list[float], q: float) -> float:
    """The smallest value v with P(X ≤ v) ≥ q, by walking the sorted outcomes."""
    total = 0.0
    for value, prob in sorted(zip(values, probs, strict=True)):
        total += prob
        if total >= q - 1e-9:
            return value
    return max(values)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=50).map(float),
            st.integers(min_value=1, max_value=10),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([0.1, 0.5, 0.9]),
)
def test_weighted_quantile_is_the_lower_inverse_of_the_scenario_distribution(
    outcomes: list[tuple[float, int]], q: float
) -> None:
    values = [value for value, _ in outcomes]
    weights = [weight for _, weight in outcomes]
    probs = [weight / sum(weights) for weight in weights]

    got = weighted_quantile(np.array(values)[:, None], np.array(probs), q)

    assert got.shape == (1,)
    assert math.isclose(float(got[0]), lower_quantile(values, probs, q))


FABRIC_ON_CREDIT = """
    horizon: {periods: 2}
    products:
      - id: TEE
        price: 20
        unmet_demand: forbidden
        bom: [{material: JERSEY, quantity: 0.5}]
    suppliers:
      - id: MILL
        payment: {upfront_share: 1}
        terms:
          - product: TEE
            unit_cost: 6
            lead_time_periods: 1
    materials:
      - id: JERSEY
        suppliers:
          - {supplier: KNIT, unit_cost: 8, order_multiple: 30}
    demand:
      units:
        TEE: [0, 100]
    cash:
      initial: 500
      credit_line: {limit: 2000, interest_rate: 0.01}
"""


def test_materials_and_financing_tables_follow_the_plan(tmp_path: Path) -> None:
    plan = fs.solve(fs.loads(textwrap.dedent(FABRIC_ON_CREDIT)))
    write_outputs(plan, tmp_path)

    # 100 tees sewn in period 1 need 50 m of jersey, bought as 60 m (two lots of 30) for 480;
    # with 600 of sewing that is 1080 against 500 of cash: 580 drawn, repaid in period 2 with
    # 5.80 of interest
    materials = (tmp_path / "materials.csv").read_text(encoding="utf-8").splitlines()
    assert materials == [
        "material,unit,period,ordered,used,used_TEE,stock",
        "JERSEY,m,1,60.0,50.0,50.0,10.0",
        "JERSEY,m,2,0.0,0.0,0.0,10.0",
    ]
    orders = (tmp_path / "material_orders.csv").read_text(encoding="utf-8").splitlines()
    assert orders[1] == "JERSEY,KNIT,first,,1,1,60.0,8.0,480.0"
    financing = (tmp_path / "financing.csv").read_text(encoding="utf-8").splitlines()
    assert financing == [
        "period,credit_balance,draws,repayments,interest,overflow_units",
        "1,580.0,580.0,0.0,0.0,0.0",
        "2,0.0,0.0,580.0,5.8,0.0",
    ]


HOSTILE_NAMES = {
    "DRESS-01": '=HYPERLINK("http://x","y")',
    "SKIRT-02": "+1+2",
    "QUICK": "@SUM(A1:A9)",
    "CHEAP": "-2+3",
    "viral": "=1+1",
}


@pytest.fixture(scope="module")
def hostile_plan() -> fs.Plan:
    """The dated plan with ids, scenario names and the currency that start a formula."""
    text = DATED.read_text(encoding="utf-8")
    for old, new in HOSTILE_NAMES.items():
        text = text.replace(old, f"'{new}'")
    text = text.replace("start_date: 2025-03-03}", "start_date: 2025-03-03, currency: '=CNY'}")
    text += "cash: {initial: -1000, enforce_non_negative: false}\n"  # a negative cash low point
    return fs.solve(fs.loads(text))


def test_text_cells_that_would_run_as_formulas_are_neutralised(
    hostile_plan: fs.Plan, tmp_path: Path
) -> None:
    write_outputs(hostile_plan, tmp_path)
    cells = [
        cell for name in CSV_NAMES for row in read_csv(tmp_path / f"{name}.csv") for cell in row
    ]

    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]
    for name in [*HOSTILE_NAMES.values(), "=CNY"]:
        assert f"'{name}" in cells
    orders = rows_by_header(tmp_path / "orders.csv")
    assert float(orders[0]["quantity"]) > 0
    assert any(cell.startswith("-") and float(cell) < 0 for cell in cells if _is_number(cell))


def test_workbook_has_no_formula_and_holds_the_neutralised_text(
    hostile_plan: fs.Plan, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    write_outputs(hostile_plan, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")

    cells = [cell for name in CSV_NAMES for row in book[name].iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert {f"'{name}" for name in [*HOSTILE_NAMES.values(), "=CNY"]} <= texts


def test_the_same_plan_gives_byte_identical_tables_and_workbook(
    dated_plan: fs.Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    pytest.importorskip("openpyxl")
    write_outputs(dated_plan, tmp_path / "first")
    later = time.time() + 86_400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    write_outputs(dated_plan, tmp_path / "second")

    for name in [*(f"{name}.csv" for name in CSV_NAMES), "plan.xlsx"]:
        first = (tmp_path / "first" / name).read_bytes()
        assert first == (tmp_path / "second" / name).read_bytes(), name


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
