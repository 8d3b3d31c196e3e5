"""Live progress read from an engine's log lines as OR-Tools streams them during a solve.

MathOpt's callback events do not serve here: SCIP refuses ``CALLBACK_EVENT_MIP``, accepts
``MIP_SOLUTION`` only while printing an error to stderr on every solve, and HiGHS fires no event.
Both engines do print a progress table (one row per new incumbent or every few seconds) through
the message callback, in the model's own objective sense; this module reads those rows.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flexsupply.backends.result import Progress
from flexsupply.model.program import LinearProgram

LogSink = Callable[[list[str]], None]


def log_sink(
    log: list[str],
    program: LinearProgram,
    started: float,
    progress: Callable[[Progress], None] | None,
) -> LogSink:
    """Returns a message callback that keeps the engine's lines in ``log`` and reports progress.

    Args:
        log: List the lines are appended to.
        program: The program solved (its offset turns the engine's numbers into the plan's).
        started: ``time.perf_counter()`` at the start of the solve [seconds].
        progress: Called with each new incumbent and bound; None only collects the lines.
    """
    if progress is None:
        return log.extend
    return _TableReader(log, program.offset, started, progress)


class _TableReader:
    """Collects log lines and turns SCIP's and HiGHS's progress-table rows into ``Progress``."""

    def __init__(
        self, log: list[str], offset: float, started: float, progress: Callable[[Progress], None]
    ) -> None:
        self._log = log
        self._offset = offset
        self._started = started
        self._progress = progress
        self._scip_columns: tuple[int, int, int] | None = None
        self._highs = False

    def __call__(self, lines: list[str]) -> None:
        self._log.extend(lines)
        for line in lines:
            bounds = self._bounds(line)
            if bounds is not None:
                incumbent, bound = bounds
                self._progress(
                    Progress(
                        seconds=time.perf_counter() - self._started,
                        incumbent=None if incumbent is None else incumbent + self._offset,
                        bound=None if bound is None else bound + self._offset,
                    )
                )

    def _bounds(self, line: str) -> tuple[float | None, float | None] | None:
        """Returns (incumbent, bound) in the model's sense from a table row, None for other lines."""
        if "|" in line and "dualbound" in line and "primalbound" in line:
            names = [name.strip() for name in line.split("|")]
            self._scip_columns = (len(names), names.index("primalbound"), names.index("dualbound"))
            return None
        if "BestBound" in line and "BestSol" in line:
            self._highs = True
            return None
        if self._scip_columns is not None and "|" in line:
            width, primal, dual = self._scip_columns
            cells = line.split("|")
            if len(cells) != width:
                return None
            return _number(cells[primal]), _number(cells[dual])
        if self._highs:
            return _highs_row(line)
        return None


def _highs_row(line: str) -> tuple[float | None, float | None] | None:
    """Returns (incumbent, bound) of a HiGHS B&B row: ``[src] nodes queue leaves expl% bound sol``."""
    words = line.split()
    expl = next((i for i, word in enumerate(words[:6]) if word.endswith("%")), None)
    if expl is None or expl < 3 or len(words) < expl + 3:
        return None
    try:
        float(words[expl][:-1])
    except ValueError:
        return None
    return _number(words[expl + 2]), _number(words[expl + 1])


def _number(text: str) -> float | None:
    """Returns a finite number from a table cell, None for ``--``, ``inf`` or other text."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None
