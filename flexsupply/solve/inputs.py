"""What commands that read a plan accept: a plan.json, the folder holding one, or a scenario.

Outputs (compare, report, simulate) never solve; this is where "plan file or scenario" is
resolved, before the plan is passed on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from flexsupply.backends import Progress
from flexsupply.plan import Plan
from flexsupply.solve.settings import SolveSettings

PLAN_SUFFIXES = (".json",)
"""Files with these suffixes are read as plans; any other file as a scenario to solve."""


def is_plan_file(path: str | Path) -> bool:
    """True when ``path`` names a plan: a ``.json`` file or a folder (holding ``plan.json``)."""
    source = Path(path)
    return source.is_dir() or source.suffix.lower() in PLAN_SUFFIXES


def plan_or_solve(
    path: str | Path,
    settings: SolveSettings,
    overrides: Sequence[str] = (),
    progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Returns the plan ``path`` names: read from a plan file, or solved from a scenario file.

    A folder means the ``plan.json`` in it (what ``flexsupply solve --out-dir`` writes). Any
    other file without a plan suffix is loaded as a scenario with ``overrides`` (``--set``
    texts) applied and solved with ``settings``; both are ignored for a plan file.

    Raises:
        PlanFileError: the plan file cannot be read or is not a flexsupply plan.
        ScenarioError: the scenario file or an override is invalid.
        SolveError: the scenario has no plan.
        BackendError: the settings name an unknown solver or one that cannot honour them.
    """
    if is_plan_file(path):
        return Plan.from_json(path)
    from flexsupply.scenario.overrides import load_with_overrides
    from flexsupply.solve.engine import solve

    return solve(load_with_overrides(path, overrides), settings, progress=progress)
