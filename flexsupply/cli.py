"""The ``flexsupply`` command: a thin shell over the library.

Exit codes: 0 ok, 1 bad input (scenario or solver choice), 2 usage error, 3 no plan.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from flexsupply.backends import BACKEND_NAMES
from flexsupply.errors import FlexsupplyError

F = TypeVar("F", bound=Callable[..., Any])


def _friendly_errors(command: F) -> F:
    """Turns library errors into a message and a documented exit code (traceback with --debug)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except FlexsupplyError as error:
            if debug:
                traceback.print_exc()
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group()
@click.version_option(package_name="flexsupply")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def main(debug: bool) -> None:
    """Plan presale production, supplier choice and reorders from scenario files.

    Exit codes: 0 ok, 1 bad input, 2 usage error, 3 no plan.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_friendly_errors
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


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--solver",
    type=click.Choice(BACKEND_NAMES),
    default=BACKEND_NAMES[0],
    show_default=True,
    help="Solver backend.",
)
@click.option(
    "--engine",
    default=None,
    help="Engine inside the backend: scip|highs (ortools), cbc|highs (pulp).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Stop after this many seconds with the best plan found.",
)
@click.option(
    "--gap", type=click.FloatRange(min=0), default=None, help="Relative optimality gap, e.g. 0.01."
)
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Solver threads.")
@click.option("--seed", type=int, default=0, show_default=True, help="Solver random seed.")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write plan.json into this folder.",
)
@click.option("--log", is_flag=True, help="Show the solver's log.")
@_friendly_errors
def solve(
    file: Path,
    solver: str,
    engine: str | None,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    seed: int,
    out_dir: Path | None,
    log: bool,
) -> None:
    """Solve scenario FILE and print a summary of the plan.

    Example: flexsupply solve scenarios/spring-drop.yaml --solver pulp --out-dir out/
    """
    from flexsupply.engine import solve as solve_scenario
    from flexsupply.report import plan_summary
    from flexsupply.scenario import load

    plan = solve_scenario(
        load(file),
        solver,
        engine=engine,
        time_limit=time_limit,
        gap=gap,
        threads=threads,
        seed=seed,
        log=log,
    )
    click.echo(plan_summary(plan))
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        plan.to_json(out_dir / "plan.json")
        click.echo(f"\nWrote {out_dir / 'plan.json'}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@_friendly_errors
def forecast(file: Path) -> None:
    """Print per style the season demand forecast of FILE's signals, before and after presale.

    Shows the P10/P50/P90 of each style's spot demand over the season from the signals, the
    same after the Bayesian update with the presale deposits, how much narrower the P10-P90
    range got, and how well the scenarios kept for the plan reproduce the distribution.

    Example: flexsupply forecast scenarios/signals-demo.yaml
    """
    from flexsupply.demand.forecast import forecast_report
    from flexsupply.scenario import load

    click.echo(forecast_report(load(file)))
