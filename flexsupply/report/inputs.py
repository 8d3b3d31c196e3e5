"""The report's input: a ``plan.json`` (or the folder holding one), read as it was written."""

from __future__ import annotations

from pathlib import Path

from flexsupply.plan.files import PLAN_FILE, PlanData, read_plan_json


def plan_from_file(path: str | Path) -> PlanData:
    """Returns the report's data of the plan file ``path`` (or the ``plan.json`` in a folder).

    Read by the plan files' reader (``flexsupply.plan.files``, the one under
    ``Plan.from_json``), without going through a ``Plan``, so the page shows the numbers the
    file holds. Nothing is solved: for a scenario file, solve it first
    (``flexsupply.solve.inputs.plan_or_solve``) and pass the plan to ``render_report``.

    Raises:
        PlanFileError: the file cannot be read or is not a flexsupply plan.
    """
    source = Path(path)
    return read_plan_json(source / PLAN_FILE if source.is_dir() else source)
