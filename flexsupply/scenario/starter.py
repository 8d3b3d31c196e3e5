"""Starter scenarios: the commented templates ``flexsupply init`` writes.

The templates ship in the package folder ``flexsupply/scenario/templates/``; each is written together with
the scenario JSON Schema that its first line points editors to.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from flexsupply.errors import FlexsupplyError
from flexsupply.files import check_folder, write_text_atomic
from flexsupply.scenario.json_schema import SCHEMA_FILE, schema_text

TEMPLATES = ("spring-drop", "double11", "group-buy", "minimal")
"""Template names, the default first."""
FORMATS = ("yaml", "xlsx")
"""Forms ``write_starter`` writes: commented YAML with its JSON Schema, or a workbook."""


class StarterError(FlexsupplyError):
    """A starter that cannot be written: unknown template, or files that already exist."""

    exit_code = 1


class StarterFile(NamedTuple):
    """One file of a starter and whether ``write_starter`` wrote it."""

    path: Path
    written: bool
    """False when the file already held exactly this content and was left as it was."""


def template_text(name: str) -> str:
    """Returns the YAML text of the template called ``name``.

    Raises:
        StarterError: no template has that name.
    """
    if name not in TEMPLATES:
        raise StarterError(f"unknown template {name!r}; choose one of {', '.join(TEMPLATES)}")
    return (files("flexsupply.scenario") / "templates" / f"{name}.yaml").read_text(encoding="utf-8")


def write_starter(
    folder: str | Path, template: str = TEMPLATES[0], force: bool = False, form: str = "yaml"
) -> list[StarterFile]:
    """Writes ``<template>.yaml`` and ``scenario.schema.json`` into ``folder`` (created if needed).

    A file that already holds exactly what would be written is left untouched. With ``form``
    ``xlsx``, writes ``<template>.xlsx`` alone instead: every table as a sheet, a note on each
    column header (meaning, unit, allowed range) and data validation.

    Args:
        folder: Where to write.
        template: One of ``TEMPLATES``.
        force: Replace files that already exist.
        form: One of ``FORMATS``.

    Returns:
        The scenario file first, then the schema (YAML only), each with whether it was written.

    Raises:
        StarterError: the template or form is unknown, or a file exists and ``force`` is not
            set.
    """
    folder = Path(folder)
    text = template_text(template)
    if form == "xlsx":
        return [_write_workbook(folder, template, text, force)]
    if form != "yaml":
        raise StarterError(f"unknown format {form!r}; choose one of {', '.join(FORMATS)}")
    targets = [folder / f"{template}.yaml", folder / SCHEMA_FILE]
    texts = [text, schema_text()]
    # A file that already holds what would be written loses nothing by being written again.
    same = [
        path.is_file() and path.read_bytes() == new.encode("utf-8")
        for path, new in zip(targets, texts, strict=True)
    ]
    existing = [
        path
        for path, unchanged in zip(targets, same, strict=True)
        if path.exists() and not unchanged
    ]
    if existing and not force:
        names = " and ".join(str(path) for path in existing)
        verb = "exists" if len(existing) == 1 else "exist"
        raise StarterError(f"{names} already {verb}; use --force to overwrite")
    if folder.exists() and not folder.is_dir():
        raise StarterError(f"{folder} is a file, not a folder")
    check_folder(folder)
    for path, new, unchanged in zip(targets, texts, same, strict=True):
        if not unchanged:
            write_text_atomic(path, new)
    return [StarterFile(path, not unchanged) for path, unchanged in zip(targets, same, strict=True)]


def _write_workbook(folder: Path, template: str, text: str, force: bool) -> StarterFile:
    """Writes the template as a workbook, unless one that reads back the same is there."""
    from flexsupply.errors import ScenarioError
    from flexsupply.scenario.workbook import read_workbook, write_workbook
    from flexsupply.scenario.yaml_io import load_scenario_text

    scenario = load_scenario_text(text, f"{template}.yaml")
    target = folder / f"{template}.xlsx"
    if target.exists():
        try:
            unchanged = target.is_file() and read_workbook(target) == scenario
        except ScenarioError:
            unchanged = False
        if unchanged:
            return StarterFile(target, False)
        if not force:
            raise StarterError(f"{target} already exists; use --force to overwrite")
    if folder.exists() and not folder.is_dir():
        raise StarterError(f"{folder} is a file, not a folder")
    write_workbook(scenario, target, notes=True, include_empty=True)
    return StarterFile(target, True)


__all__ = [
    "FORMATS",
    "TEMPLATES",
    "StarterError",
    "StarterFile",
    "template_text",
    "write_starter",
]
