"""The best plan and the best valid bound seen during a solve, so progress and result agree.

Engines report incumbents and bounds while they run; a warm start reports its plan before the
engine starts. ``BestSoFar`` keeps the best of each, passes that on (never "no plan" once a plan
exists, never a bound weaker than one already seen), and gives the final result the best bound.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable
from typing import TypeGuard

from flexsupply.backends import Progress, SolverResult


class BestSoFar:
    """Merges progress reports: the best incumbent and the tightest bound seen so far."""

    def __init__(self, maximize: bool, forward: Callable[[Progress], None] | None) -> None:
        """Starts with nothing seen.

        Args:
            maximize: True when a larger objective is better.
            forward: Called with the merged report after each one (None: only keep them).
        """
        self._sign = 1.0 if maximize else -1.0
        self._forward = forward
        self._lock = threading.Lock()
        self.incumbent: float | None = None
        """Objective of the best plan reported [currency]."""
        self.bound: float | None = None
        """Tightest bound reported [currency]."""

    def update(self, report: Progress) -> None:
        """Keeps what improves on what was seen and forwards the merged report."""
        with self._lock:
            sign = self._sign
            found = report.incumbent
            if _finite(found) and (self.incumbent is None or sign * (found - self.incumbent) > 0):
                self.incumbent = found
            bound = report.bound
            if _finite(bound) and (self.bound is None or sign * (bound - self.bound) < 0):
                self.bound = bound
            merged = Progress(report.seconds, self.incumbent, self.bound)
        if self._forward is not None:
            self._forward(merged)

    def tighten(self, result: SolverResult) -> SolverResult:
        """Returns ``result`` with the tightest valid bound of the result and the reports."""
        if not result.status.has_plan or self.bound is None:
            return result
        if math.isnan(result.bound) or self._sign * (result.bound - self.bound) > 0:
            # A bound cannot be on the wrong side of a feasible objective; keep it consistent.
            bound = self.bound
            if self._sign * (bound - result.objective) < 0:
                bound = result.objective
            return dataclasses.replace(result, bound=bound)
        return result


def _finite(value: float | None) -> TypeGuard[float]:
    """True when ``value`` is a finite number."""
    return value is not None and math.isfinite(value)
