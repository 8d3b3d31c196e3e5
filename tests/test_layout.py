"""The package layout: stage folders, documented module paths, shipped profiles."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import flexsupply
from flexsupply.solve.profiles import bundled_profiles

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(flexsupply.__file__).parent
STAGES = [
    "scenario",
    "demand",
    "model",
    "heuristics",
    "backends",
    "solve",
    "plan",
    "report",
    "batch",
    "cli",
]


def test_folder_listing_shows_the_stages() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}

    assert set(STAGES) <= folders


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("flexsupply.overrides", "flexsupply.scenario.overrides", "load_with_overrides"),
        ("flexsupply.profiles", "flexsupply.solve.profiles", "find_profile"),
        ("flexsupply.outputs", "flexsupply.plan.outputs", "write_outputs"),
        ("flexsupply.compare", "flexsupply.plan.compare", "compare_plans"),
        ("flexsupply.report_html", "flexsupply.report", "write_report"),
        ("flexsupply.batch", "flexsupply.batch.run", "run_batch"),
        ("flexsupply.scenario", "flexsupply.scenario.yaml_io", "load"),
    ],
)
def test_documented_module_paths_still_import(old: str, new: str, name: str) -> None:
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), name
    )


def test_shipped_profiles_are_the_top_level_solvers_folder() -> None:
    shipped = {path.stem for path in (ROOT / "solvers").glob("*.yaml")}

    assert shipped
    assert set(bundled_profiles()) == shipped
