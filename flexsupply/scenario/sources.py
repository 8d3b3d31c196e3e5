"""Where a scenario comes from and goes to, chosen by the path: YAML, workbook or CSV folder.

A directory (or, for output, a path without a suffix) is a folder of CSV files, ``.xlsx`` a
workbook, anything else YAML. Every form is validated by the same code (``validation``) and
reads back what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario.schema import Scenario

Form = Literal["yaml", "xlsx", "csv"]
Edit = Callable[[dict[str, Any]], dict[str, Any]]

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def scenario_form(path: str | Path, writing: bool = False) -> Form:
    """Returns the form of the scenario at ``path``: ``yaml``, ``xlsx`` or ``csv`` (a folder).

    Args:
        path: The file or folder.
        writing: The path is to be written: a path without a suffix that does not exist yet
            is a CSV folder, and a suffix other than YAML or workbook is refused.

    Raises:
        ScenarioError: ``writing`` and the suffix names no scenario form.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir() or (writing and suffix == "" and not path.exists()):
        return "csv"
    if suffix in WORKBOOK_SUFFIXES:
        return "xlsx"
    if writing and suffix not in YAML_SUFFIXES:
        message = (
            f"cannot tell the form from {suffix!r}: write .yaml, .xlsx, or a folder "
            "(a path without a suffix) for CSV files"
        )
        raise ScenarioError([Problem((), message, str(path))], str(path))
    return "yaml"


def read_scenario(path: str | Path, edit: Edit | None = None) -> Scenario:
    """Reads and validates a scenario in any form, chosen by ``scenario_form``.

    Args:
        path: A YAML file, a workbook or a folder of CSV files.
        edit: Returns changed data before it is validated (``--set`` overrides).

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: every problem found, located in the form read (line, cell, CSV line).
    """
    form = scenario_form(path)
    if form == "xlsx":
        from flexsupply.scenario.workbook import read_workbook

        return read_workbook(path, edit)
    if form == "csv":
        from flexsupply.scenario.csv_folder import read_csv_folder

        return read_csv_folder(path, edit)
    from flexsupply.scenario.yaml_io import load_scenario_file

    return load_scenario_file(Path(path), edit)


def load(path: str | Path) -> Scenario:
    """Reads and validates a scenario: a YAML file, a workbook (``.xlsx``) or a CSV folder.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: with every problem found, each located by file and line, or sheet and
            cell, and field path.
    """
    return read_scenario(path)


def loads(data: str | Mapping[str, Any], source: str | None = None) -> Scenario:
    """Validates a scenario given as YAML text or as Python data (the structure of a file).

    Args:
        data: YAML text, or a mapping whose values may be ``Decimal``, numpy or pandas values,
            dates (``scenario_from_dict``).
        source: Name of the data in error messages (default ``<string>`` or ``<data>``).

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: every problem found: with lines for text, field paths for data.
    """
    if isinstance(data, str):
        from flexsupply.scenario.yaml_io import load_scenario_text

        return load_scenario_text(data, source or "<string>")
    from flexsupply.scenario.objects import scenario_from_dict

    return scenario_from_dict(data, source or "<data>")


def write_scenario(scenario: Scenario, path: str | Path, notes: bool = False) -> list[Path]:
    """Writes a scenario in the form ``path`` names (``scenario_form`` with ``writing``).

    Args:
        scenario: The scenario.
        path: A ``.yaml`` file, a ``.xlsx`` workbook, or a folder for CSV files.
        notes: For a workbook, header notes and data validation, and every table's sheet even
            when empty (a form to fill in).

    Returns:
        The files written.

    Raises:
        ScenarioError: the suffix names no form, or openpyxl is missing for a workbook.
    """
    form = scenario_form(path, writing=True)
    if form == "xlsx":
        from flexsupply.scenario.workbook import write_workbook

        return [write_workbook(scenario, path, notes=notes, include_empty=notes)]
    if form == "csv":
        from flexsupply.scenario.csv_folder import write_csv_folder

        return write_csv_folder(scenario, path)
    from flexsupply.files import write_text_atomic
    from flexsupply.scenario.yaml_io import dump

    return [write_text_atomic(path, dump(scenario))]


__all__ = ["Form", "load", "loads", "read_scenario", "scenario_form", "write_scenario"]
