"""The warm start's LP dive on a process of its own, begun before the bound side.

Before the first round of subproblems the decomposition works on one core: the (l,S)
separation rounds and the LP relaxation that gives the first multipliers. The warm start's dive
(``heuristics.lp_dive``, 7 s at idle on spring-drop, one core too) ran before them, each
leaving the other core idle. Here it runs on a spawned process from the start, so the two
overlap; the decomposition collects its plan while the workers run the first round (its
``later_start``), when this process would only wait. The dive is the same with the same
program and limit, so the plan does not depend on where it ran.
"""

from __future__ import annotations

import math
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from flexsupply.arrays import FloatArray
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.executors import ROUND_GRACE, stop_processes

STOP_SECONDS = 2.0
"""How long the dive's process may take to end once its answer is in, before it is killed."""


def _ignore_ctrl_c() -> None:
    """Leaves Ctrl-C to the main process (``backends.interrupt``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _dive(program: LinearProgram, seconds: float) -> FloatArray | None:
    """Returns the LP dive's plan within ``seconds`` (inf: no limit), or None."""
    return dive(program, time.perf_counter() + seconds)


class EarlyDive:
    """The LP dive of ``program`` within ``seconds``, running on its own process from now.

    Args:
        program: the whole program.
        seconds: the dive's time limit [seconds] (None: none).
    """

    def __init__(self, program: LinearProgram, seconds: float | None) -> None:
        self._seconds = math.inf if seconds is None else seconds
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            1, mp_context=get_context("spawn"), initializer=_ignore_ctrl_c
        )
        self._future = self._pool.submit(_dive, program, self._seconds)
        self._began = time.perf_counter()

    def result(self) -> FloatArray | None:
        """Returns the dive's plan (waiting for it), or None when it found none or failed.

        A process that died or overran its limit by ``ROUND_GRACE`` counts as no plan.
        """
        if self._pool is None:
            return None
        left = self._seconds - (time.perf_counter() - self._began) + ROUND_GRACE
        try:
            return self._future.result(timeout=None if math.isinf(left) else max(left, 0.0))
        except (BrokenProcessPool, TimeoutError, OSError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stops the dive's process."""
        pool, self._pool = self._pool, None
        if pool is not None:
            stop_processes(pool, STOP_SECONDS, STOP_SECONDS + 1.0)
