"""`flexsupply convert`: a scenario from one form to another (YAML, workbook, CSV folder)."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors


@click.command()
@click.argument("source", metavar="IN", type=click.Path(path_type=Path))
@click.argument("target", metavar="OUT", type=click.Path(path_type=Path))
@click.option(
    "--notes",
    is_flag=True,
    help="For a workbook: a note on every column header (meaning, unit, allowed range), data "
    "validation, and a sheet for every table, even empty.",
)
@friendly_errors
def convert(source: Path, target: Path, notes: bool) -> None:
    """Convert scenario IN to OUT: YAML, workbook (.xlsx) or a folder of CSV files.

    The form is chosen by the suffix: .yaml or .yml, .xlsx, and a folder (a path without a
    suffix) for CSV files, one per table. IN is checked first; OUT reads back to an equal
    scenario (YAML comments are not carried over).

    Example: flexsupply convert scenarios/spring-drop.yaml season.xlsx
    """
    from flexsupply.scenario.sources import load, write_scenario

    scenario = load(source)
    for path in write_scenario(scenario, target, notes=notes):
        click.echo(f"Wrote {path}")
