"""`flexsupply compare`: the KPIs of several plans side by side, best value per row marked."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import SolverChoice, comparison_format_option, solver_flags


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@solver_flags(" (for the scenario files given)")
@comparison_format_option()
@friendly_errors
def compare(inputs: tuple[Path, ...], choice: SolverChoice, output_format: str) -> None:
    """Compare plans side by side, one column per input.

    Each input is a plan.json written by `flexsupply solve --out-dir` (or that folder), or a
    scenario file, which is solved first with the solver options (each scenario within the time
    limit) and --set. Rows: expected profit, fill rate, presale on time,
    leftover units, cash low point, order cost, units from each supplier, solver status and gap.
    When one of two plans comes from `flexsupply replan`, the table is followed by the orders
    the second adds, changes or cancels, from the replan's first period on.

    Example: flexsupply compare out/base/plan.json out/moq50/plan.json scenarios/dual-sourcing.yaml
    """
    from flexsupply.fds import stdout_to_stderr
    from flexsupply.plan.compare import (
        compare_plans,
        comparison_csv,
        comparison_json,
        comparison_table,
        unique_labels,
    )
    from flexsupply.plan.order_changes import order_changes, order_changes_table
    from flexsupply.solve.inputs import plan_or_solve

    settings = choice.settings()
    with stdout_to_stderr():  # an engine's banner must not mix with the comparison
        plans = [plan_or_solve(path, settings, choice.sets) for path in inputs]
    comparison = compare_plans(plans, unique_labels(inputs), [str(path) for path in inputs])
    if output_format == "json":
        click.echo(comparison_json(comparison), nl=False)
    elif output_format == "csv":
        click.echo(comparison_csv(comparison), nl=False)
    else:
        click.echo(comparison_table(comparison))
        if len(plans) == 2 and any(plan.as_of_period for plan in plans):
            click.echo("\n" + order_changes_table(order_changes(*plans)))
