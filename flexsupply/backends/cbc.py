"""CBC under PuLP, run so that the whole call keeps its time limit.

PuLP's ``COIN_CMD`` hands CBC the full limit (``-sec``) after it has spent time building and
writing the model, and then waits for CBC without end; CBC itself checks its clock only between
steps (a long preprocessing or feasibility pump overran 20 s to 35 s under load). Here CBC is
given the time left at the moment it starts, less the time to stop it and read its answer back
(both predicted from the time the model took to build), and is stopped from outside when that
time (or Ctrl-C) comes: SIGINT first, which CBC answers by writing its best solution when it is
in branch and bound, then SIGKILL after ``STOP_GRACE``. When too little time is left to write
the model and run CBC, CBC is not started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from typing import Any

from flexsupply.backends import interrupt

READ_SECONDS = 0.2
"""Seconds kept back to read CBC's solution file, besides ``READ_PER_BUILD`` [seconds]."""
READ_PER_BUILD = 0.5
"""Seconds PuLP takes to read CBC's solution back per second it took to build the model
(measured: 0.43 on spring-drop)."""
CBC_MARGIN = 0.5
"""Seconds between CBC's own limit and the moment it is stopped from outside [seconds]."""
STOP_GRACE = 1.0
"""Seconds CBC gets after SIGINT to write its best solution before it is killed [seconds]."""
POLL_SECONDS = 0.05
"""How often the wait looks at the clock and at Ctrl-C [seconds]."""
MIN_CBC_SECONDS = 0.5
"""The shortest limit CBC is started with; with less time left it is not started [seconds]."""
WRITE_PER_BUILD = 2.0
"""Seconds PuLP takes to write the MPS file per second it took to build the model (measured:
0.8 on dual-sourcing, 1.0 on spring-drop, 2.0 on double11-presale)."""
CHECK_ROWS = 2_000
"""Rows built between two looks at the clock while the PuLP model is built."""


class OutOfTime(Exception):
    """The time limit came before CBC could be started."""


def check_clock(end: float | None, done: int) -> None:
    """Raises ``OutOfTime`` when ``end`` (``time.perf_counter``) has passed.

    Looks at the clock every ``CHECK_ROWS`` rows; ``done`` is the rows built so far.
    """
    if end is not None and done % CHECK_ROWS == 0 and time.perf_counter() >= end:
        raise OutOfTime


def wait_bounded(
    process: subprocess.Popen[bytes], end: float | None, grace: float = STOP_GRACE
) -> str | None:
    """Waits for ``process`` until ``end`` on ``time.perf_counter`` (None: no end) or Ctrl-C.

    Returns:
        None when the process ended by itself; ``time_limit`` or ``interrupted`` when it was
        stopped (SIGINT, then SIGKILL after ``grace`` seconds).
    """
    wanted = threading.Event()
    with interrupt.on_interrupt(wanted.set):
        while True:
            try:
                process.wait(timeout=POLL_SECONDS)
                return None
            except subprocess.TimeoutExpired:
                pass
            if wanted.is_set():
                reason = "interrupted"
                break
            if end is not None and time.perf_counter() >= end:
                reason = "time_limit"
                break
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return reason


def bounded_cbc(pulp: Any) -> Any:
    """Returns a ``pulp.COIN_CMD`` subclass whose ``end`` attribute bounds the whole call.

    ``end`` is a ``time.perf_counter`` instant (None: no limit) and ``build_seconds`` the time
    the PuLP model took to build (it predicts the time to write it); after the solve
    ``stopped`` says whether CBC was not started (``no_time``) or had to be stopped
    (``time_limit``, ``interrupted``) and ``killed`` whether it left no answer because it was killed.
    """

    def not_solved(lp: Any) -> int:
        lp.assignStatus(pulp.constants.LpStatusNotSolved)
        return int(pulp.constants.LpStatusNotSolved)

    class BoundedCbc(pulp.COIN_CMD):  # type: ignore[misc]
        end: float | None = None
        build_seconds: float = 0.0
        stopped: str | None = None
        killed: bool = False

        def _out_of_time(self, needed: float) -> bool:
            if self.end is None or self.end - time.perf_counter() >= needed:
                return False
            self.stopped = "no_time"
            return True

        def solve_CBC(self, lp: Any, use_mps: bool = True) -> int:
            del use_mps  # always MPS: it keeps the column names PuLP reads back
            mps, sol, mst = self.create_tmp_files(lp.name, "mps", "sol", "mst")
            try:
                read = READ_SECONDS + READ_PER_BUILD * self.build_seconds + STOP_GRACE
                write = WRITE_PER_BUILD * self.build_seconds
                if self._out_of_time(write + read + MIN_CBC_SECONDS):
                    return not_solved(lp)
                variables, names, rows, _ = lp.writeMPS(mps, rename=1)
                args = [self.path, mps]
                if self.optionsDict.get("warmStart", False):
                    self.writesol(mst, lp, variables, names, rows)
                    args += ["-mips", mst]
                if self._out_of_time(read + CBC_MARGIN + MIN_CBC_SECONDS):
                    return not_solved(lp)
                stop_at = None if self.end is None else self.end - read
                if stop_at is not None:
                    args += ["-sec", f"{stop_at - time.perf_counter() - CBC_MARGIN:.3f}"]
                for option in [*self.options, *self.getOptions()]:
                    args += f"-{option}".split()
                args += ["-solve", "-printingOptions", "all", "-solution", sol]
                with open(self.optionsDict["logPath"], "w") as log:
                    process = subprocess.Popen(
                        args, stdout=log, stderr=log, stdin=subprocess.DEVNULL
                    )
                    self.stopped = wait_bounded(process, stop_at)
                self.killed = process.returncode == -signal.SIGKILL
                if self.killed or not os.path.exists(sol):
                    return not_solved(lp)
                status, values, costs, prices, slacks, sol_status = self.readsol_MPS(
                    sol, lp, variables, names, rows
                )
                lp.assignVarsVals(values)
                lp.assignVarsDj(costs)
                lp.assignConsPi(prices)
                lp.assignConsSlack(slacks, activity=True)
                lp.assignStatus(status, sol_status)
                return int(status)
            finally:
                self.delete_tmp_files(mps, sol, mst)

    return BoundedCbc
