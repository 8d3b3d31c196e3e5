"""Scenario workbooks: every problem at its sheet and cell, a lossless round trip, notes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import flexsupply as fs
from flexsupply.errors import ScenarioError
from flexsupply.scenario import dump, loads
from flexsupply.scenario.starter import TEMPLATES, template_text
from flexsupply.scenario.workbook import INSTALL, read_workbook, write_workbook

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def season_workbook() -> Workbook:
    """A small season typed in by hand, the way a planner lays it out."""
    book = Workbook()
    settings = book.active
    assert settings is not None
    settings.title = "settings"
    for row in [("setting", "value"), ("name", "hand-made"), ("horizon.periods", 4)]:
        settings.append(row)
    products = book.create_sheet("products")
    products.append(["id", "price", "salvage_value"])
    products.append(["DRESS-01", 129, 20])
    products.append(["TOP-01", 79, 10])
    suppliers = book.create_sheet("suppliers")
    suppliers.append(["id", "capacity", "defect_rate"])
    suppliers.append(["QUICK", 500, 0.02])
    terms = book.create_sheet("supplier_terms")
    terms.append(["supplier", "products", "unit_cost", "moq", "lead_time_periods"])
    terms.append(["QUICK", "DRESS-01, TOP-01", 40, 50, 1])
    demand = book.create_sheet("demand")
    demand.append(["product", 1, 2, 3, 4])
    demand.append(["DRESS-01", 10, 20, 30, 20])
    demand.append(["TOP-01", 15, 15, 15, 15])
    return book


def test_a_hand_made_workbook_reads_as_the_season_it_shows(tmp_path: Path) -> None:
    path = tmp_path / "season.xlsx"
    season_workbook().save(path)

    scenario = read_workbook(path)

    assert scenario.product_ids == ["DRESS-01", "TOP-01"]
    assert scenario.suppliers[0].terms[0].products == ["DRESS-01", "TOP-01"]
    assert scenario.suppliers[0].terms[0].moq == 50
    assert scenario.demand.units == {"DRESS-01": [10, 20, 30, 20], "TOP-01": [15] * 4}


def test_three_bad_cells_give_three_problems_naming_sheet_and_cell(tmp_path: Path) -> None:
    book = season_workbook()
    book["products"]["B3"] = -5
    book["supplier_terms"]["D2"] = "fifty"
    book["demand"]["C2"] = -1
    path = tmp_path / "season.xlsx"
    book.save(path)

    with pytest.raises(ScenarioError) as caught:
        read_workbook(path)

    lines = [str(problem) for problem in caught.value.problems]
    assert lines == [
        f"{path}!products!B3  products[1].price: must be ≥ 0, got -5",
        f"{path}!supplier_terms!D2  suppliers[0].terms[0].moq: expected a number, got 'fifty'",
        f"{path}!demand!C2  demand.units.DRESS-01[1]: must be ≥ 0, got -1",
    ]
    assert str(caught.value).startswith(f"3 problems in {path}")


def test_a_missing_required_sheet_is_named(tmp_path: Path) -> None:
    book = season_workbook()
    del book["suppliers"]
    path = tmp_path / "season.xlsx"
    book.save(path)

    with pytest.raises(ScenarioError) as caught:
        read_workbook(path)

    messages = [str(problem) for problem in caught.value.problems]
    assert f"{path}!suppliers  suppliers: required sheet is missing" in messages
    assert any("unknown supplier 'QUICK'" in message for message in messages)


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"),
    [
        ("products", "D1", "prise", "unknown column 'prise' (did you mean 'price'?)"),
        ("settings", "A4", "horizon.period", "unknown setting 'horizon.period' (did you mean"),
        ("supplier_terms", "A2", "QUIK", "unknown supplier 'QUIK' (did you mean 'QUICK'?)"),
    ],
)
def test_unknown_columns_settings_and_keys_say_did_you_mean(
    tmp_path: Path, sheet: str, cell: str, value: str, message: str
) -> None:
    book = season_workbook()
    book[sheet][cell] = value
    path = tmp_path / "season.xlsx"
    book.save(path)

    with pytest.raises(ScenarioError) as caught:
        read_workbook(path)

    assert any(
        problem.sheet == sheet and problem.cell == cell and message in problem.message
        for problem in caught.value.problems
    ), caught.value


def test_an_unknown_sheet_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    book = season_workbook()
    book.create_sheet("presales").append(["product", "period"])
    path = tmp_path / "season.xlsx"
    book.save(path)

    with pytest.raises(
        ScenarioError, match=r"presales  unknown sheet 'presales' \(did you mean 'presale'\?\)"
    ):
        read_workbook(path)


def test_capacity_given_twice_is_an_error(tmp_path: Path) -> None:
    book = season_workbook()
    capacity = book.create_sheet("capacity")
    capacity.append(["supplier", 1, 2, 3, 4])
    capacity.append(["QUICK", 500, 500, 0, 0])
    path = tmp_path / "season.xlsx"
    book.save(path)

    with pytest.raises(ScenarioError, match="capacity!A2  capacity is given twice"):
        read_workbook(path)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_every_bundled_scenario_survives_yaml_to_workbook_to_yaml(
    tmp_path: Path, path: Path
) -> None:
    scenario = fs.load(path)

    write_workbook(scenario, tmp_path / "season.xlsx")
    again = loads(dump(read_workbook(tmp_path / "season.xlsx")))

    assert again == scenario


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_survives_as_a_workbook_with_notes(tmp_path: Path, name: str) -> None:
    scenario = loads(template_text(name))

    write_workbook(scenario, tmp_path / "t.xlsx", notes=True, include_empty=True)
    again = loads(dump(read_workbook(tmp_path / "t.xlsx")))

    assert again == scenario


def test_notes_give_meaning_unit_and_range_and_cells_are_validated(tmp_path: Path) -> None:
    write_workbook(
        loads(template_text("minimal")), tmp_path / "t.xlsx", notes=True, include_empty=True
    )

    book = load_workbook(tmp_path / "t.xlsx")
    terms = book["supplier_terms"]
    header = [cell.value for cell in terms[1]]
    moq = terms.cell(row=1, column=header.index("moq") + 1).comment
    assert moq is not None
    assert "Minimum order quantity" in moq.text
    assert "[units]" in moq.text
    assert "≥ 0" in moq.text
    rules = {
        str(rule.sqref).split(":")[0][:1]: rule for rule in terms.data_validations.dataValidation
    }
    supplier_rule = rules["A"]
    assert supplier_rule.type == "list"
    assert supplier_rule.formula1.startswith("suppliers!$A$2")
    presale = book["presale"]
    kinds = {rule.type for rule in presale.data_validations.dataValidation}
    assert {"list", "decimal", "whole"} <= kinds
    assert "signals" in book.sheetnames
    assert "price_tiers" in book.sheetnames


def test_without_openpyxl_the_message_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)

    with pytest.raises(ScenarioError, match=re.escape(f"needs openpyxl: {INSTALL}")):
        read_workbook(tmp_path / "season.xlsx")


def test_a_file_that_is_not_a_workbook_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "season.xlsx"
    path.write_text("name: not a workbook\n")

    with pytest.raises(ScenarioError, match="cannot read the workbook"):
        read_workbook(path)


def test_a_formula_without_a_computed_value_is_named_not_read_as_empty(tmp_path: Path) -> None:
    book = season_workbook()
    book["products"]["B2"] = "=100+29"
    path = tmp_path / "season.xlsx"
    book.save(path)

    with pytest.raises(ScenarioError) as caught:
        read_workbook(path)

    assert [(p.sheet, p.cell) for p in caught.value.problems] == [("products", "B2")]
    assert "formula =100+29 has no computed value" in caught.value.problems[0].message
