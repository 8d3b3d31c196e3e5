"""`flexsupply forecast`: season demand per style, from the signals or the distributions."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.set_option import SET_HELP


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@friendly_errors
def forecast(file: Path, sets: tuple[str, ...]) -> None:
    """Print per style the season demand forecast of FILE's signals or distributions.

    With signals: the P10/P50/P90 of each style's spot demand over the season from the
    signals, the same after the Bayesian update with the presale deposits, and how much
    narrower the P10-P90 range got. With `demand.parametric`: the mean, SD, P10, P50 and P90
    of each style's season demand over the samples. Both end with how well the scenarios
    kept for the plan reproduce the distribution.

    Example: flexsupply forecast scenarios/signals-demo.yaml

    Example: flexsupply forecast scenarios/signals-demo.yaml --set presale.deposit_share=0.2

    Example: flexsupply forecast scenarios/basics-replenishment.yaml
    """
    from flexsupply.demand.forecast import forecast_report
    from flexsupply.demand.parametric import parametric_report
    from flexsupply.errors import Problem, ScenarioError
    from flexsupply.scenario.overrides import load_with_overrides

    scenario = load_with_overrides(file, sets)
    if scenario.demand.parametric is not None:
        click.echo(parametric_report(scenario))
        return
    if scenario.demand.signals is None:
        message = (
            "no signal or parametric block: the forecast needs demand given by "
            "`demand.signals` or `demand.parametric`"
        )
        raise ScenarioError([Problem(("demand",), message, str(file))], str(file))
    click.echo(forecast_report(scenario))
