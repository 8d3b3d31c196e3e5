"""The report's input: a ``plan.json`` (or the folder holding one), or a scenario solved first."""

from __future__ import annotations

from pathlib import Path

from flexsupply.report_html.plan_data import PlanData, parse_plan, read_plan_json

PLAN_SUFFIXES = (".json",)
"""Files with these suffixes are read as plans; any other file as a scenario to solve."""


def plan_from_file(
    path: str | Path,
    solver: str = "ortools",
    *,
    engine: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    threads: int | None = None,
    seed: int = 0,
) -> PlanData:
    """Returns the plan data of ``path``: read from a plan file, or solved from a scenario.

    A folder means the ``plan.json`` in it (what ``flexsupply solve --out-dir`` writes). A
    scenario is loaded and solved with ``flexsupply.solve`` and the solver options
    (``time_limit`` in seconds, ``gap`` relative); they are ignored for a plan file. Errors
    are the library's: ``ScenarioError``, ``SolveError``, ``BackendError``, ``PlanFileError``.
    """
    source = Path(path)
    if source.is_dir():
        source = source / "plan.json"
    if source.suffix.lower() in PLAN_SUFFIXES:
        return read_plan_json(source)
    from flexsupply.engine import solve
    from flexsupply.scenario import load

    plan = solve(
        load(source),
        solver,
        engine=engine,
        time_limit=time_limit,
        gap=gap,
        threads=threads,
        seed=seed,
    )
    return parse_plan(plan.to_dict(), str(source))
