"""`flexsupply batch`: solve what-if variants of one scenario side by side."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import SolverChoice, comparison_format_option, solver_flags


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--sweep",
    "sweeps",
    multiple=True,
    metavar="PATH=[V,...]",
    help="Values to try for one field, as a YAML list (repeatable; every combination is "
    "solved). PATH is as in `solve --set`; `solver=[ortools, pulp]` varies the solver.",
)
@click.option("--no-base", is_flag=True, help="Leave out the scenario as it is (`base`).")
@solver_flags(" (for every variant)")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Variants solved at once (default: the CPUs).",
)
@click.option(
    "--dask",
    "scheduler",
    default=None,
    metavar="ADDRESS|local",
    help="Run the variants on a Dask cluster (scheduler address, e.g. tcp://10.0.0.5:8786), "
    "or `local` for a local one. Needs the dask extra.",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write each variant's plan.json as it finishes, and batch.csv.",
)
@click.option("--resume", is_flag=True, help="Reuse plans already in --out-dir.")
@comparison_format_option()
@click.option("--quiet", is_flag=True, help="No line per finished variant on stderr.")
@friendly_errors
def batch(
    file: Path,
    sweeps: tuple[str, ...],
    no_base: bool,
    choice: SolverChoice,
    workers: int | None,
    scheduler: str | None,
    out_dir: Path | None,
    resume: bool,
    output_format: str,
    quiet: bool,
) -> None:
    """Solve what-if variants of scenario FILE and compare their KPIs side by side.

    Every combination of the --sweep values is one variant, solved in parallel; variants
    without a plan are listed with the reason (exit code 3 when no variant has one). Problems
    in any variant are reported before anything is solved. --set applies to every variant,
    before its swept values.

    Example: flexsupply batch spring-drop.yaml --sweep 'suppliers.QR-HZ.moq=[50, 100]' --solver fast
    """
    from flexsupply.batch import batch_comparison, progress_line, run_batch, sweep_variants
    from flexsupply.plan.compare import comparison_csv, comparison_json, comparison_table

    if resume and out_dir is None:
        raise click.UsageError("--resume needs --out-dir")
    variants = sweep_variants(sweeps, include_base=not no_base, overrides=choice.sets)
    if not variants:
        raise click.UsageError("nothing to solve: give --sweep or leave out --no-base")
    results = run_batch(
        file,
        variants,
        choice.settings(),
        overrides=choice.flags,
        workers=workers,
        executor="local" if scheduler is None else "dask",
        scheduler=None if scheduler in (None, "local") else scheduler,
        out_dir=out_dir,
        resume=resume,
        on_result=None if quiet else lambda result: click.echo(progress_line(result), err=True),
    )
    comparison, missing = batch_comparison(results)
    if output_format == "json":
        click.echo(comparison_json(comparison), nl=False)
    elif output_format == "csv":
        click.echo(comparison_csv(comparison), nl=False)
    elif comparison.labels:
        click.echo(comparison_table(comparison))
    for line in missing:
        click.echo(line, err=output_format != "table")
    if out_dir is not None and not quiet:
        click.echo(f"Wrote {out_dir / 'batch.csv'}", err=output_format != "table")
    if not comparison.labels:
        click.get_current_context().exit(3)
