"""The report's input: a ``plan.json`` (or the folder holding one), or a scenario solved first."""

from __future__ import annotations

from pathlib import Path

from flexsupply.report.plan_data import PlanData, parse_plan, read_plan_json
from flexsupply.solve.plan_input import plan_file_or_solved


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
    found = plan_file_or_solved(
        path, solver, engine=engine, time_limit=time_limit, gap=gap, threads=threads, seed=seed
    )
    if isinstance(found, Path):
        return read_plan_json(found)
    return parse_plan(found.to_dict(), str(Path(path)))
