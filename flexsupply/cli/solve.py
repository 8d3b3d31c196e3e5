"""`flexsupply solve`: plan a scenario file and print or write the plan."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.backends import BACKEND_NAMES
from flexsupply.cli.errors import friendly_errors


@click.command()
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
@friendly_errors
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
