"""What commands that read a plan accept: a plan.json, the folder holding one, or a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flexsupply.plan import Plan

PLAN_SUFFIXES = (".json",)
"""Files with these suffixes are read as plans; any other file as a scenario to solve."""


def plan_file_or_solved(
    path: str | Path, solver: str = "ortools", **solve_args: Any
) -> Path | Plan:
    """Returns the plan file ``path`` names, or the plan of the scenario it names.

    A folder means the ``plan.json`` in it (what ``flexsupply solve --out-dir`` writes). Any
    file without a plan suffix is loaded as a scenario and solved with ``flexsupply.solve``,
    ``solver`` and ``solve_args`` (``engine``, ``time_limit`` [seconds], ``gap``, ``threads``,
    ``seed``); they are ignored for a plan file.
    """
    source = Path(path)
    if source.is_dir():
        source = source / "plan.json"
    if source.suffix.lower() in PLAN_SUFFIXES:
        return source
    from flexsupply.scenario import load
    from flexsupply.solve.engine import solve

    return solve(load(source), solver, **solve_args)
