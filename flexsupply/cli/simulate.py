"""`flexsupply simulate`: a plan's first stage on fresh demand samples."""

from __future__ import annotations

import json
from pathlib import Path

import click

from flexsupply.backends import BACKEND_NAMES
from flexsupply.cli.errors import friendly_errors


@click.command()
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
@friendly_errors
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
    from flexsupply.solve.simulate import read_plan_first_stage
    from flexsupply.solve.simulate import simulate as run

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
