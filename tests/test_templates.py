"""Starter templates and the scenario JSON Schema that editors read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from flexsupply.scenario import Scenario, load, loads
from flexsupply.scenario.json_schema import SCHEMA_FILE, scenario_schema, schema_text
from flexsupply.scenario.starter import TEMPLATES, StarterError, template_text, write_starter

MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}\n"
SCENARIOS = Path(__file__).parent.parent / "scenarios"


def _json_data(text: str) -> Any:
    """Returns YAML data as the YAML language server sees it (dates stay text)."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_starts_with_the_schema_modeline_and_validates(name: str) -> None:
    text = template_text(name)

    assert text.startswith(MODELINE)
    assert loads(text, f"{name}.yaml").name == name


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_is_valid_under_the_json_schema(name: str) -> None:
    jsonschema.validate(_json_data(template_text(name)), scenario_schema())


def test_the_minimal_template_is_tiny() -> None:
    scenario = loads(template_text("minimal"))

    assert (len(scenario.products), len(scenario.suppliers)) == (1, 1)
    assert scenario.demand.scenario_count == 1


def test_write_starter_writes_the_scenario_and_the_schema(tmp_path: Path) -> None:
    (scenario, _), (schema, _) = write_starter(tmp_path / "season", "double11")

    assert scenario == tmp_path / "season" / "double11.yaml"
    assert load(scenario).name == "double11"
    assert json.loads(schema.read_text()) == scenario_schema()


def test_write_starter_refuses_to_overwrite_a_changed_file_without_force(tmp_path: Path) -> None:
    write_starter(tmp_path, "minimal")
    (tmp_path / "minimal.yaml").write_text("name: mine\n")

    with pytest.raises(StarterError, match=r"minimal\.yaml already exists; use --force"):
        write_starter(tmp_path, "minimal")
    assert (tmp_path / "minimal.yaml").read_text() == "name: mine\n"

    write_starter(tmp_path, "minimal", force=True)
    assert (tmp_path / "minimal.yaml").read_text() == template_text("minimal")


def test_a_second_template_can_join_the_same_folder(tmp_path: Path) -> None:
    write_starter(tmp_path, "minimal")

    written = write_starter(tmp_path, "group-buy")

    assert [(path.name, new) for path, new in written] == [
        ("group-buy.yaml", True),
        (SCHEMA_FILE, False),
    ]


def test_write_starter_leaves_files_with_the_same_content_untouched(tmp_path: Path) -> None:
    first = write_starter(tmp_path, "minimal")
    inodes = [path.stat().st_ino for path, _ in first]

    again = write_starter(tmp_path, "minimal")

    assert [written for _, written in first] == [True, True]
    assert [written for _, written in again] == [False, False]
    assert [path.stat().st_ino for path, _ in again] == inodes  # an atomic write makes a new one


def test_an_unknown_template_names_the_choices() -> None:
    with pytest.raises(
        StarterError, match="choose one of spring-drop, double11, group-buy, minimal"
    ):
        template_text("black-friday")


def test_the_schema_is_valid_json_schema_with_every_scenario_block() -> None:
    schema = json.loads(schema_text())

    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert schema["required"] == ["horizon", "products", "suppliers"]
    assert schema["additionalProperties"] is False


def test_schema_titles_and_descriptions_come_from_the_field_docstrings() -> None:
    terms = scenario_schema()["$defs"]["SupplyTerms"]["properties"]

    assert terms["moq"]["title"] == "Minimum order quantity"
    assert terms["moq"]["description"].startswith("Minimum order quantity: an order is 0")
    assert terms["unit_cost"]["title"] == "Price per unit ordered, defects included"
    presale = scenario_schema()["$defs"]["PresaleOrder"]["properties"]
    assert presale["lateness"]["title"] == "Lateness"


def test_the_schema_flags_a_typo_an_editor_should_underline() -> None:
    data = _json_data(template_text("minimal"))
    data["suppliers"][0]["terms"][0]["mqo"] = 50

    with pytest.raises(jsonschema.ValidationError, match="'mqo' was unexpected"):
        jsonschema.validate(data, scenario_schema())


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.name)
def test_the_library_scenarios_are_valid_under_the_json_schema(path: Path) -> None:
    jsonschema.validate(_json_data(path.read_text()), scenario_schema())
