"""`flexsupply solve`: plan a scenario file and print or write the plan."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flexsupply.backends.interrupt import EXIT_CODE, INTERRUPTED, interruptible
from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import SolverChoice, solver_flags
from flexsupply.fds import stdout_to_stderr

if TYPE_CHECKING:
    from flexsupply.backends.result import Progress
    from flexsupply.plan import Plan
    from flexsupply.solve.settings import SolveSettings


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@solver_flags("")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write plan.json, orders/inventory/kpis/presale CSV and plan.xlsx into this folder.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Print a readable summary, or the whole plan as JSON on stdout.",
)
@click.option(
    "--dask",
    metavar="ADDRESS|local",
    default=None,
    help="Run the decomposition's subproblems on this Dask scheduler (local: a LocalCluster).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for the decomposition's subproblems (default: all cores).",
)
@click.option("--quiet", is_flag=True, help="Print only errors and the names of files written.")
@click.option("--log", is_flag=True, help="Show the solver's log.")
@click.option(
    "--stochastic-report",
    is_flag=True,
    help="Also report VSS (vs the mean-demand plan) and EVPI (vs wait-and-see); more solves.",
)
@friendly_errors
def solve(
    file: Path,
    choice: SolverChoice,
    out_dir: Path | None,
    output_format: str,
    dask: str | None,
    workers: int | None,
    quiet: bool,
    log: bool,
    stochastic_report: bool,
) -> None:
    """Solve scenario FILE and print a summary of the plan.

    While solving, a progress line (elapsed, incumbent, bound, gap) is shown on stderr.

    Example: flexsupply solve spring-drop.yaml --solver fast --out-dir out/

    Example: flexsupply solve spring-drop.yaml --set suppliers.QR-HZ.moq=50
    """
    started = time.monotonic()  # the limit covers the whole command, reading the file too
    from flexsupply.solve.deadline import Deadline

    settings = choice.settings(log=log or None).with_flags(dask=dask, workers=workers)
    if out_dir is not None:
        from flexsupply.files import check_folder

        check_folder(out_dir)  # before a solve that could take minutes
    deadline = Deadline(settings.time_limit, started=started)
    from flexsupply.scenario.overrides import load_with_overrides
    from flexsupply.solve.engine import solve as solve_scenario

    scenario = load_with_overrides(file, choice.sets)
    # stdout carries the summary or the JSON plan alone: an engine's banner or log goes to stderr.
    # The first Ctrl-C stops the solve with the best plan found so far (status interrupted).
    with interruptible(), stdout_to_stderr(), _progress(settings, quiet) as progress:
        plan = solve_scenario(
            scenario,
            settings,
            stochastic_report=stochastic_report,
            progress=progress,
            deadline=deadline,
        )
    _show(plan, output_format, quiet)
    if out_dir is not None:
        from flexsupply.plan.outputs import write_outputs

        notes: list[str] = []
        _wrote(write_outputs(plan, out_dir, notify=notes.append), output_format, quiet)
        for note in notes:
            click.echo(note, err=True)
    if plan.status == INTERRUPTED:
        click.echo("Interrupted: the best plan found so far is shown above.", err=True)
        click.get_current_context().exit(EXIT_CODE)


@contextlib.contextmanager
def _progress(settings: SolveSettings, quiet: bool) -> Iterator[Callable[[Progress], None] | None]:
    """Yields the progress callback for the solve (None with ``--quiet``)."""
    if quiet:
        yield None
        return
    from flexsupply.cli.progress import ProgressLine, live_note

    with ProgressLine(sys.stderr, note=live_note(settings.backend, settings.engine)) as line:
        yield line.update


def _show(plan: Plan, output_format: str, quiet: bool) -> None:
    """Prints the plan: the whole of it as JSON, or the summary unless quiet."""
    if output_format == "json":
        click.echo(plan.to_json(), nl=False)
        return
    if quiet:
        return
    from flexsupply.plan.summary import plan_summary

    click.echo(plan_summary(plan))
    from flexsupply.solve.engine import STOCHASTIC_SKIPPED

    if plan.stochastic is not None:
        from flexsupply.solve.stochastic import report_summary

        click.echo("\n" + report_summary(plan.stochastic, plan.currency))
    elif STOCHASTIC_SKIPPED in plan.extra:
        click.echo(f"\nStochastic report: {plan.extra[STOCHASTIC_SKIPPED]}")


def _wrote(paths: list[Path], output_format: str, quiet: bool) -> None:
    """Names the files written: on stderr when stdout carries JSON."""
    gap = "" if quiet or output_format == "json" else "\n"
    for path in paths:
        click.echo(f"{gap}Wrote {path}", err=output_format == "json")
        gap = ""
