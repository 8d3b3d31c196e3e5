"""`flexsupply validate`: check scenario files and list every problem."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.set_option import SET_HELP


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@friendly_errors
def validate(files: tuple[Path, ...], sets: tuple[str, ...]) -> None:
    """Check scenario FILES and report every problem with file:line.

    A FILE is a YAML file, a workbook (.xlsx) or a folder of CSV files; problems in a workbook
    name the sheet and cell (season.xlsx!suppliers!D7).

    With --set, each file is checked as `flexsupply solve` would see it after the overrides,
    and the ok line lists the overrides applied.

    Example: flexsupply validate spring-drop.yaml --set suppliers.QR-HZ.moq=50
    """
    from flexsupply.errors import ScenarioError
    from flexsupply.scenario.overrides import load_with_overrides

    failed: list[ScenarioError] = []
    for file in files:
        try:
            scenario = load_with_overrides(file, sets)
        except ScenarioError as error:
            failed.append(error)
            if click.get_current_context().find_root().params.get("debug", False):
                traceback.print_exc()
            click.echo(f"Error: {error}", err=True)
            continue
        counts = [
            _count(len(scenario.products), "product"),
            _count(len(scenario.suppliers), "supplier"),
            _count(scenario.horizon.periods, "period"),
            _count(scenario.demand.scenario_count, "demand scenario"),
        ]
        applied = f" with {_count(len(sets), 'override')}: {', '.join(sets)}" if sets else ""
        click.echo(f"{file}: ok ({', '.join(counts)}){applied}")
    if failed:
        sys.exit(ScenarioError.exit_code)


def _count(number: int, noun: str) -> str:
    """Returns ``number`` with ``noun``, plural unless it is 1 ("1 product", "3 periods")."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
