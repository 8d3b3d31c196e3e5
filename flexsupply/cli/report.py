"""`flexsupply report`: one self-contained HTML file with the plan's KPIs, charts and orders."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import gap_option, solver_flags


@click.command()
@click.argument("file", type=click.Path(path_type=Path), metavar="PLAN.json|FILE")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="HTML file to write.",
)
@solver_flags(" (for a scenario FILE)")
@gap_option("Relative optimality gap for a scenario FILE's solve, a fraction: 0.01 is 1 %.")
@friendly_errors
def report(
    file: Path,
    output: Path,
    solver: str,
    engine: str | None,
    time_limit: float | None,
    gap: float | None,
) -> None:
    """Write an HTML report of a plan: KPIs, charts and the orders, viewable offline.

    FILE is a plan.json written by `flexsupply solve --out-dir` (or that folder), or a
    scenario file, which is solved first with the solver options. The charts need the report
    extra: pip install "flexsupply[report]".

    Example: flexsupply report out/spring-drop/plan.json -o spring-drop.html
    """
    from flexsupply.report import plan_from_file, require_matplotlib, write_report
    from flexsupply.solve.profiles import find_profile

    require_matplotlib()  # before a solve that could take minutes
    profile = find_profile(solver).with_flags(engine=engine, time_limit=time_limit, gap=gap)
    plan = plan_from_file(file, profile.backend, **profile.solve_arguments())
    click.echo(f"Wrote {write_report(plan, output)}")
