"""`flexsupply forecast`: season demand per style before and after the presale update."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import SET_HELP


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@friendly_errors
def forecast(file: Path, sets: tuple[str, ...]) -> None:
    """Print per style the season demand forecast of FILE's signals, before and after presale.

    Shows the P10/P50/P90 of each style's spot demand over the season from the signals, the
    same after the Bayesian update with the presale deposits, how much narrower the P10-P90
    range got, and how well the scenarios kept for the plan reproduce the distribution.

    Example: flexsupply forecast scenarios/signals-demo.yaml

    Example: flexsupply forecast scenarios/signals-demo.yaml --set presale.deposit_share=0.2
    """
    from flexsupply.demand.forecast import forecast_report
    from flexsupply.errors import Problem, ScenarioError
    from flexsupply.scenario.overrides import load_with_overrides

    scenario = load_with_overrides(file, sets)
    if scenario.demand.signals is None:
        message = "no signal block: the forecast needs demand given by `demand.signals`"
        raise ScenarioError([Problem(("demand",), message, str(file))], str(file))
    click.echo(forecast_report(scenario))
