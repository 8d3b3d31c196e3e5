"""`flexsupply validate`: check scenario files and list every problem."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@friendly_errors
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario FILES and report every problem with file:line.

    Example: flexsupply validate scenarios/spring-drop.yaml
    """
    from flexsupply.errors import ScenarioError
    from flexsupply.scenario import load

    failed: list[ScenarioError] = []
    for file in files:
        try:
            scenario = load(file)
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
