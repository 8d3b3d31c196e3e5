"""One scenario, three forms: YAML, workbook, CSV folder, chosen by the path; same plans."""

from __future__ import annotations

from pathlib import Path

import pytest

import flexsupply as fs
from flexsupply.errors import ScenarioError
from flexsupply.scenario.sources import load, scenario_form, write_scenario
from flexsupply.scenario.starter import template_text

FORMS = ["season.yaml", "season.xlsx", "season"]
SMALL_TEMPLATES = ["double11", "group-buy", "minimal"]
"""Templates that solve in well under a second (spring-drop takes a few)."""


@pytest.mark.parametrize(
    ("name", "writing", "form"),
    [
        ("a.yaml", False, "yaml"),
        ("a.yml", True, "yaml"),
        ("a.XLSX", False, "xlsx"),
        ("folder", True, "csv"),
        ("a.txt", False, "yaml"),
    ],
)
def test_the_form_follows_the_suffix(name: str, writing: bool, form: str) -> None:
    assert scenario_form(name, writing=writing) == form


def test_an_existing_folder_is_a_csv_folder(tmp_path: Path) -> None:
    assert scenario_form(tmp_path) == "csv"


def test_writing_to_an_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"cannot tell the form from '\.json'"):
        write_scenario(fs.loads(template_text("minimal")), tmp_path / "a.json")


@pytest.mark.parametrize("target", FORMS)
def test_each_form_reads_back_equal(tmp_path: Path, target: str) -> None:
    scenario = fs.loads(template_text("double11"))

    write_scenario(scenario, tmp_path / target)

    assert load(tmp_path / target) == scenario


@pytest.mark.parametrize("name", SMALL_TEMPLATES)
def test_each_form_solves_to_the_same_objective(tmp_path: Path, name: str) -> None:
    scenario = fs.loads(template_text(name))
    expected = fs.solve(scenario, "ortools").objective

    for target in FORMS[1:]:
        write_scenario(scenario, tmp_path / target)
        plan = fs.solve(fs.load(tmp_path / target), "ortools")
        assert plan.objective == pytest.approx(expected, rel=1e-6), target


def test_both_backends_agree_on_the_workbook_and_csv_forms(tmp_path: Path) -> None:
    scenario = fs.loads(template_text("minimal"))
    write_scenario(scenario, tmp_path / "season.xlsx")
    write_scenario(scenario, tmp_path / "season")

    objectives = [
        fs.solve(fs.load(tmp_path / form), backend).objective
        for form in ("season.xlsx", "season")
        for backend in ("ortools", "pulp")
    ]

    assert objectives == pytest.approx([objectives[0]] * 4, rel=1e-6)


@pytest.mark.slow
def test_a_bundled_scenario_solves_to_the_same_objective_from_each_form(tmp_path: Path) -> None:
    """group-buy, the bundled scenario that solves in seconds; the others are equal as data."""
    scenario = fs.load(Path(__file__).parents[1] / "scenarios" / "group-buy.yaml")
    expected = fs.solve(scenario, "ortools").objective

    for target in FORMS[1:]:
        write_scenario(scenario, tmp_path / target)
        plan = fs.solve(fs.load(tmp_path / target), "ortools")
        assert plan.objective == pytest.approx(expected, rel=1e-6), target
