"""`flexsupply compare`: the KPIs of several plans side by side, best value per row marked."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import comparison_format_option, solver_flags


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@solver_flags(" (for the scenario files given)")
@comparison_format_option()
@friendly_errors
def compare(
    inputs: tuple[Path, ...],
    solver: str,
    engine: str | None,
    time_limit: float | None,
    output_format: str,
) -> None:
    """Compare plans side by side, one column per input.

    Each input is a plan.json written by `flexsupply solve --out-dir` (or that folder), or a
    scenario file, which is solved first. Rows: expected profit, fill rate, presale on time,
    leftover units, cash low point, order cost, units from each supplier, solver status and gap.

    Example: flexsupply compare out/base/plan.json out/moq50/plan.json scenarios/dual-sourcing.yaml
    """
    from flexsupply.plan.compare import (
        compare_files,
        comparison_csv,
        comparison_json,
        comparison_table,
    )
    from flexsupply.solve.profiles import find_profile

    profile = find_profile(solver).with_flags(engine=engine, time_limit=time_limit)
    comparison = compare_files(inputs, profile.backend, **profile.solve_arguments())
    if output_format == "json":
        click.echo(comparison_json(comparison), nl=False)
    elif output_format == "csv":
        click.echo(comparison_csv(comparison), nl=False)
    else:
        click.echo(comparison_table(comparison))
