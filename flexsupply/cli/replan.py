"""`flexsupply replan`: a plan and the season's actuals ▶ a new plan for the periods left."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.cli.solver_flags import SolverChoice, solver_flags


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--plan",
    "plan_file",
    required=True,
    type=click.Path(path_type=Path),
    help="plan.json being replaced (or its folder), written by `flexsupply solve --out-dir`.",
)
@click.option(
    "--actuals",
    "actuals_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="What happened up to the as-of period: YAML, or the CSV form (.csv).",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write plan.json (with as_of_period), the CSV tables and the re-anchored scenario.yaml.",
)
@solver_flags()
@friendly_errors
def replan(
    file: Path,
    plan_file: Path,
    actuals_file: Path,
    out_dir: Path | None,
    choice: SolverChoice,
) -> None:
    """Replan the rest of the season of FILE from its actuals.

    The past is fixed, orders in transit arrive as scheduled and are not bought again, open
    presale promises are kept, the demand left is updated from the realised sales; prints the
    new plan's KPIs and the orders it adds, changes or cancels. --set changes FILE as for solve.

    Example: flexsupply replan scenarios/spring-drop.yaml --plan out/plan.json --actuals week3.yaml
    """
    from flexsupply.plan import Plan
    from flexsupply.scenario.actuals_io import load_actuals
    from flexsupply.scenario.overrides import load_with_overrides
    from flexsupply.solve.replan import replan as run

    settings = choice.settings()
    scenario = load_with_overrides(file, choice.sets)
    actuals = load_actuals(actuals_file, scenario)
    result = run(scenario, actuals, Plan.from_json(plan_file), settings)
    click.echo(result.summary())
    if out_dir is not None:
        for path in result.write(out_dir):
            click.echo(f"Wrote {path}")
