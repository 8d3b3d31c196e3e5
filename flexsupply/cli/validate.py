"""`flexsupply validate`: check scenario files and list every problem."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solve import SET_HELP


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@friendly_errors
def validate(files: tuple[Path, ...], sets: tuple[str, ...]) -> None:
    """Check scenario FILES and report every problem with file:line.

    With --set, each file is checked as `flexsupply solve` would see it after the overrides.

    Example: flexsupply validate spring-drop.yaml --set suppliers.QR-HZ.moq=50
    """
    from flexsupply.errors import ScenarioError
    from flexsupply.overrides import load_with_overrides

    failed: list[ScenarioError] = []
    for file in files:
        try:
            scenario = load_with_overrides(file, sets)
        except ScenarioError as error:
            failed.append(error)
            click.echo(f"Error: {error}", err=True)
            continue
        click.echo(
            f"{file}: ok ({len(scenario.products)} products, {len(scenario.suppliers)} suppliers, "
            f"{scenario.horizon.periods} periods, {scenario.demand.scenario_count} demand scenarios)"
        )
    if failed:
        sys.exit(ScenarioError.exit_code)
