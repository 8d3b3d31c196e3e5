"""Scenarios as a folder of CSV files: located problems and a lossless round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

import flexsupply as fs
from flexsupply.errors import ScenarioError
from flexsupply.scenario import dump, loads
from flexsupply.scenario.csv_folder import read_csv_folder, write_csv_folder
from flexsupply.scenario.starter import TEMPLATES, template_text

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
MINIMAL = Path(__file__).parent / "data" / "csv" / "minimal"


def test_a_hand_written_folder_reads_as_its_season() -> None:
    scenario = read_csv_folder(MINIMAL)

    assert scenario.name == "csv-minimal"
    assert scenario.horizon.periods == 4
    assert scenario.suppliers[0].terms[0].moq == 100
    assert scenario.demand.units == {"TEE-01": [40, 60, 80, 60]}


def test_problems_name_the_file_line_and_column(tmp_path: Path) -> None:
    for path in MINIMAL.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text())
    terms = tmp_path / "supplier_terms.csv"
    terms.write_text(terms.read_text().replace(",100,", ",-5,"))
    (tmp_path / "demand.csv").write_text("product,1,2,3,4\nTEE-02,40,60,80,60\n")

    with pytest.raises(ScenarioError) as caught:
        read_csv_folder(tmp_path)

    lines = [str(problem) for problem in caught.value.problems]
    assert f"{terms}:2:4  suppliers[0].terms[0].moq: must be ≥ 0, got -5" in lines
    assert any(
        line.startswith(f"{tmp_path / 'demand.csv'}:2:1  demand.units.TEE-02: unknown product")
        for line in lines
    )


def test_an_unknown_csv_file_is_an_error_and_other_files_are_ignored(tmp_path: Path) -> None:
    for path in MINIMAL.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "supplier.csv").write_text("id\nX\n")
    (tmp_path / "notes.txt").write_text("not a table")

    with pytest.raises(
        ScenarioError, match=r"unknown sheet 'supplier' \(did you mean 'suppliers'\?\)"
    ):
        read_csv_folder(tmp_path)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_every_bundled_scenario_survives_yaml_to_csv_to_yaml(tmp_path: Path, path: Path) -> None:
    scenario = fs.load(path)

    write_csv_folder(scenario, tmp_path / "season")
    again = loads(dump(read_csv_folder(tmp_path / "season")))

    assert again == scenario


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_survives_as_a_csv_folder(tmp_path: Path, name: str) -> None:
    scenario = loads(template_text(name))

    written = write_csv_folder(scenario, tmp_path)

    assert written[0].name == "settings.csv"
    assert loads(dump(read_csv_folder(tmp_path))) == scenario


@pytest.mark.parametrize(
    ("file", "text", "where", "message"),
    [
        ("demand.csv", "product,1,2,4\nTEE-01,40,60,80\n", ":1", "without a gap; missing: 3"),
        ("demand.csv", "product,1,1\nTEE-01,40,60\n", ":1:3", "period 1 appears twice"),
        ("products.csv", "id,price\nTEE-01,25,99\n", ":1:3", "has values but no header"),
        ("settings.csv", "setting,value\nhorizon.periods,4\ncash,yes\n", ":3:2", "takes no value"),
    ],
    ids=["period-gap", "period-twice", "value-without-header", "block-with-value"],
)
def test_nothing_in_a_file_is_dropped_silently(
    tmp_path: Path, file: str, text: str, where: str, message: str
) -> None:
    for path in MINIMAL.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / file).write_text(text)

    with pytest.raises(ScenarioError) as caught:
        read_csv_folder(tmp_path)

    assert any(
        str(problem).startswith(f"{tmp_path / file}{where} ") and message in problem.message
        for problem in caught.value.problems
    ), caught.value


def test_writing_over_an_older_season_leaves_none_of_its_tables(tmp_path: Path) -> None:
    write_csv_folder(loads(template_text("spring-drop")), tmp_path)
    (tmp_path / "README.txt").write_text("kept")
    minimal = loads(template_text("minimal"))

    write_csv_folder(minimal, tmp_path)

    assert read_csv_folder(tmp_path) == minimal
    assert not (tmp_path / "presale.csv").exists()
    assert (tmp_path / "README.txt").read_text() == "kept"


def test_per_period_values_of_items_without_an_id_survive(tmp_path: Path) -> None:
    """A mill's capacity by week, a price tier's price by week: their rows name their parent."""
    data = fs.load(ROOT / "scenarios" / "fabric-and-credit.yaml").model_dump(exclude_none=True)
    periods = data["horizon"]["periods"]
    mill = data["materials"][0]["suppliers"][0]
    mill["capacity"] = [3000.0] * (periods - 1) + [0.0]
    mill["unit_cost"] = [18.0] * periods
    mill["discount_tiers"] = [
        {"min_quantity": 1000, "unit_cost": [17.0] * periods},
        {"min_quantity": 2000, "cost_factor": 0.9},
    ]
    terms = data["suppliers"][0]["terms"][0]
    terms.pop("cost_factor", None)
    terms["unit_cost"] = [50.0] * periods
    terms["discount_tiers"] = [{"min_quantity": 500, "unit_cost": [45.0] * periods}]
    scenario = fs.loads(data)

    write_csv_folder(scenario, tmp_path)

    assert read_csv_folder(tmp_path) == scenario
