"""Spreadsheet cells: text that could run as a formula gets a leading quote, numbers stay."""

from __future__ import annotations

import pytest

from flexsupply.plan.cells import FORMULA_STARTS, csv_cell, text_cell


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_a_formula_gets_a_leading_quote(start: str) -> None:
    assert text_cell(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", ["DRESS-01", "", "'quoted", "a=b", " =1", "１+1"])
def test_other_text_is_unchanged(text: str) -> None:
    assert text_cell(text) == text


@pytest.mark.parametrize(
    ("value", "cell"),
    [(-5, "-5"), (-0.25, "-0.25"), (1e-9, "1e-09"), (0, "0"), (None, ""), ("-x", "'-x")],
)
def test_csv_cells_keep_numbers_and_neutralise_text(value: object, cell: str) -> None:
    assert csv_cell(value) == cell
