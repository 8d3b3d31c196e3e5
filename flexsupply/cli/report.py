"""`flexsupply report`: one self-contained HTML file with the plan's KPIs, charts and orders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import SolverChoice, solver_flags

if TYPE_CHECKING:
    from flexsupply.plan import Plan
    from flexsupply.plan.files import PlanData


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
@click.option(
    "--simulation",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Add the out-of-sample section of a `flexsupply simulate --out FILE` report.",
)
@solver_flags(" (for a scenario FILE)")
@friendly_errors
def report(file: Path, output: Path, simulation: Path | None, choice: SolverChoice) -> None:
    """Write an HTML report of a plan: KPIs, charts and the orders, viewable offline.

    FILE is a plan.json written by `flexsupply solve --out-dir` (or that folder), or a
    scenario file, which is solved first with the solver options and --set. The charts need the report
    extra: pip install "flexsupply[report]".

    Example: flexsupply report out/spring-drop/plan.json -o spring-drop.html
    """
    from flexsupply.fds import stdout_to_stderr
    from flexsupply.files import check_file
    from flexsupply.report import plan_from_file, require_matplotlib, write_report
    from flexsupply.report.simulation import read_simulation
    from flexsupply.solve.inputs import is_plan_file, plan_or_solve

    require_matplotlib()  # before a solve that could take minutes
    check_file(output)
    sim = None if simulation is None else read_simulation(simulation)
    plan: Plan | PlanData
    if is_plan_file(file):
        plan = plan_from_file(file)
    else:
        with stdout_to_stderr():  # an engine's banner must not mix with the command's output
            plan = plan_or_solve(file, choice.settings(), choice.sets)
    written = write_report(plan, output, sim)
    source = click.get_current_context().get_parameter_source("output")
    if source is click.core.ParameterSource.DEFAULT:
        click.echo(f"Wrote {written.resolve()} (the default file; -o FILE writes elsewhere)")
    else:
        click.echo(f"Wrote {written}")
