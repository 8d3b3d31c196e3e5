"""The report's input: a ``plan.json``, or a scenario file solved first."""

from __future__ import annotations

from pathlib import Path

from flexsupply.report_html.plan_data import PlanData, parse_plan, read_plan_json

PLAN_SUFFIXES = (".json",)
"""Files with these suffixes are read as plans; anything else as a scenario to solve."""


def plan_from_file(
    path: str | Path,
    solver: str = "ortools",
    engine: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
) -> PlanData:
    """Returns the plan data of ``path``: read from a ``plan.json``, or solved from a scenario.

    A scenario is loaded and solved with ``flexsupply.solve(scenario, solver, engine=...,
    time_limit=..., gap=...)`` (``time_limit`` in seconds); the solver options are ignored for
    a plan file. Errors are the library's: ``ScenarioError``, ``SolveError``, ``BackendError``,
    ``PlanFileError``.
    """
    if Path(path).suffix.lower() in PLAN_SUFFIXES:
        return read_plan_json(path)
    from flexsupply.engine import solve
    from flexsupply.scenario import load

    plan = solve(load(path), solver, engine=engine, time_limit=time_limit, gap=gap)
    return parse_plan(plan.to_dict(), str(path))
