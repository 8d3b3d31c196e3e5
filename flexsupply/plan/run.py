"""The run record: facts of one solve that differ between runs of the same input.

A plan is a function of its scenario, settings and seed; how long the solve took and when it ran
are not. They are kept here, apart from the plan, so the plan files of two runs can be compared
byte for byte: ``plan.json`` holds them under its last key, ``run``, and the CSV tables and
``plan.xlsx`` hold none of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flexsupply.backends.result import SolverResult

TIME_LIMIT_NOTICE = "stopped by the time limit: another run may differ"
"""What the summary, the report and plan.json say when the wall clock ended the search."""
STOP_WORDS = {
    "gap": "the engine reached the gap asked for",
    "node_limit": "the node limit was reached (the same input gives the same plan)",
    "iteration_limit": (
        "the decomposition ran its rounds and node limits (the same input gives the same plan)"
    ),
    "converged": (
        "the decomposition's bound converged within its node limits (the same input gives the "
        "same plan)"
    ),
    "time_limit": TIME_LIMIT_NOTICE,
}
"""How each ``Plan.stop`` reads in the summary and the report."""


@dataclass(frozen=True)
class RunRecord:
    """When a plan was made and how long it took; never part of the plan's own content."""

    started_at: str
    """When the solve started, ISO 8601 in UTC to the second."""
    finished_at: str
    """When the plan was read from the engine's answer, ISO 8601 in UTC to the second."""
    seconds: float
    """Wall-clock time of the whole solve: demand, model, warm start, engine [seconds]."""
    engine_seconds: float
    """Wall-clock time of the warm start and the engine [seconds]."""
    warm_start_seconds: float | None = None
    """Wall-clock time of the warm start (None without one) [seconds]."""

    @classmethod
    def since(cls, started_at: datetime, started: float, result: SolverResult) -> RunRecord:
        """Returns the record of a solve that started at ``started_at`` (``started``: perf_counter).

        Args:
            started_at: the solve's start, a timezone-aware datetime.
            started: ``time.perf_counter()`` at the same moment.
            result: the engine's result, for its seconds and the warm start's.
        """
        seconds = time.perf_counter() - started
        finished_at = started_at.timestamp() + seconds
        warm = result.extra.get("warm_start_seconds")
        return cls(
            started_at=_iso(started_at),
            finished_at=_iso(datetime.fromtimestamp(finished_at, started_at.tzinfo)),
            seconds=round(seconds, 3),
            engine_seconds=round(result.seconds, 3),
            warm_start_seconds=None if warm is None else round(warm, 3),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        """Returns the record ``to_dict`` wrote; keys it does not know are left out."""
        return cls(
            started_at=str(data.get("started_at", "")),
            finished_at=str(data.get("finished_at", "")),
            seconds=float(data.get("seconds") or 0.0),
            engine_seconds=float(data.get("engine_seconds") or 0.0),
            warm_start_seconds=data.get("warm_start_seconds"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Returns the record as JSON-ready data (the ``run`` key of plan.json)."""
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": self.seconds,
            "engine_seconds": self.engine_seconds,
            "warm_start_seconds": self.warm_start_seconds,
        }


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
