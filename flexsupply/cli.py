"""The ``flexsupply`` command: a thin shell over the library.

Exit codes: 0 ok, 1 bad input (scenario or solver choice), 2 usage error, 3 no plan.
"""

from __future__ import annotations

import json
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
@click.option(
    "--stochastic-report",
    is_flag=True,
    help="Also report VSS (vs the mean-demand plan) and EVPI (vs wait-and-see); more solves.",
)
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
    stochastic_report: bool,
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
        stochastic_report=stochastic_report,
    )
    click.echo(plan_summary(plan))
    if plan.stochastic is not None:
        from flexsupply.stochastic import report_summary

        click.echo("\n" + report_summary(plan.stochastic, plan.currency))
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


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="plan.json whose first-stage orders to keep (default: solve FILE first).",
)
@click.option("--samples", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the samples.")
@click.option(
    "--solver", type=click.Choice(BACKEND_NAMES), default=BACKEND_NAMES[0], show_default=True
)
@click.option("--engine", default=None, help="Engine inside the backend (as for solve).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel processes.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report as JSON to this file.",
)
@_friendly_errors
def simulate(
    file: Path,
    plan_file: Path | None,
    samples: int,
    seed: int,
    solver: str,
    engine: str | None,
    workers: int | None,
    out: Path | None,
) -> None:
    """Evaluate a plan's first stage on fresh demand samples of FILE.

    Each sample gets its best reorders; the profit, fill rate, presale on-time share, leftover
    and cash low point are compared with the mean-demand plan and a newsvendor first batch.

    Example: flexsupply simulate scenarios/spring-drop.yaml --plan out/plan.json --samples 500
    """
    from flexsupply.backends import SolverOptions
    from flexsupply.files import write_text_atomic
    from flexsupply.scenario import load
    from flexsupply.simulate import read_plan_first_stage
    from flexsupply.simulate import simulate as run

    scenario = load(file)
    first_stage = None if plan_file is None else read_plan_first_stage(scenario, plan_file)
    options = SolverOptions(engine=engine)
    report = run(
        scenario,
        first_stage,
        samples=samples,
        seed=seed,
        solver=solver,
        options=options,
        workers=workers,
    )
    click.echo(report.summary())
    if out is not None:
        write_text_atomic(out, json.dumps(report.to_dict(), indent=2) + "\n")
        click.echo(f"\nWrote {out}")
