"""plan.xlsx (plan/workbook.py): headers with units, bold and frozen, filters, number formats."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import flexsupply as fs
from flexsupply.plan.outputs import TABLE_NAMES, plan_tables, write_outputs
from flexsupply.plan.workbook import NUMBER_FORMATS
from flexsupply.scenario.starter import template_text

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[fs.Plan, Any]:
    plan = fs.solve(fs.loads(template_text("spring-drop"), source="spring-drop.yaml"))
    folder = tmp_path_factory.mktemp("book")
    write_outputs(plan, folder)
    return plan, openpyxl.load_workbook(folder / "plan.xlsx")


def test_every_table_is_a_sheet_with_titled_bold_frozen_filtered_headers(
    book: tuple[fs.Plan, Any],
) -> None:
    plan, workbook = book
    tables = {table.name: table for table in plan_tables(plan)}

    assert workbook.sheetnames == list(TABLE_NAMES)
    for name, table in tables.items():
        sheet = workbook[name]
        header = [cell.value for cell in sheet[1]]
        assert header == [column.title for column in table.columns], name
        assert all(cell.font.bold for cell in sheet[1]), name
        assert sheet.freeze_panes == "B2", name
        if table.rows:
            assert sheet.auto_filter.ref == sheet.dimensions, name
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1]), name


def test_money_columns_say_their_currency_and_quantities_their_unit(
    book: tuple[fs.Plan, Any],
) -> None:
    _, workbook = book
    header = [cell.value for cell in workbook["orders"][1]]

    assert "Unit cost [CNY/pc]" in header
    assert "Setup [CNY]" in header
    assert "Quantity [pcs]" in header
    assert "Order date" in header


def test_cells_are_numbers_and_dates_with_the_format_of_their_kind(
    book: tuple[fs.Plan, Any],
) -> None:
    plan, workbook = book
    for table in plan_tables(plan):
        sheet = workbook[table.name]
        for index, column in enumerate(table.columns, start=1):
            cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]
            values = [cell.value for cell in cells if cell.value is not None]
            if column.kind in ("integer", "units", "money", "price", "share", "capacity"):
                assert all(isinstance(v, int | float) for v in values), (table.name, column.name)
                assert all(c.number_format == NUMBER_FORMATS[column.kind] for c in cells)
            if column.kind == "date":
                assert all(isinstance(v, datetime) for v in values), (table.name, column.name)
                assert all(c.number_format == "yyyy-mm-dd" for c in cells)


def test_purchase_order_totals_are_bold(book: tuple[fs.Plan, Any]) -> None:
    _, workbook = book
    rows = list(workbook["purchase_orders"].iter_rows(min_row=2))

    totals = [row for row in rows if row[0].value in ("supplier total", "total")]
    lines = [row for row in rows if row[0].value == "line"]
    assert totals
    assert lines
    assert all(cell.font.bold for row in totals for cell in row)
    assert not any(cell.font.bold for row in lines for cell in row)


def test_the_kpi_sheet_formats_shares_as_percentages(book: tuple[fs.Plan, Any]) -> None:
    _, workbook = book
    formats = {row[0].value: row[1].number_format for row in workbook["kpis"].iter_rows(min_row=2)}

    assert formats["fill_rate"] == "0.0%"
    assert formats["expected_profit"] == "#,##0.00"


def test_the_same_plan_gives_the_same_workbook_bytes(tmp_path: Path) -> None:
    plan = fs.solve(fs.loads(template_text("minimal"), source="minimal.yaml"))
    write_outputs(plan, tmp_path / "a")
    write_outputs(plan, tmp_path / "b")

    assert (tmp_path / "a" / "plan.xlsx").read_bytes() == (
        tmp_path / "b" / "plan.xlsx"
    ).read_bytes()
