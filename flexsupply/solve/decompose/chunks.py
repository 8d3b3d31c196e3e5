"""Per-style MILPs at scale, in chunks on the executor, until a time on the method's clock.

At 500+ styles one pass of per-style MILPs takes minutes on two cores; running it chunk by
chunk lets each step (the plan inside the shares, the bound's sweep) stop at its own share
of the time limit with every finished style kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverOptions
from flexsupply.solve.decompose.executors import ROUND_GRACE, Executor
from flexsupply.solve.decompose.primal import Clock, SearchState
from flexsupply.solve.decompose.subproblems import BlockSolution, Task

CHUNK_TURNS = 4
"""A chunk holds this many tasks per worker."""
MIN_TASK_SECONDS = 0.5
"""A task's time limit is at least this [seconds]."""


def run_chunks(
    order: Sequence[int],
    objective_of: Callable[[int], FloatArray],
    backend: str,
    options: SolverOptions,
    executor: Executor,
    stop: float,
    clock: Clock,
    state: SearchState,
) -> Iterator[BlockSolution]:
    """Yields the solutions of the blocks ``order`` names, chunk by chunk, until ``stop``.

    Args:
        order: the blocks to solve, in order (against the programs the executor holds).
        objective_of: each block's objective [currency per unit].
        backend: the backend name.
        options: the tasks' options; each task's time limit is set here: three times its even
            share of the time left, so a chunk of slow styles cannot take the rest's time.
        executor: runs the tasks.
        stop: no chunk starts after this time on ``clock``, and a chunk still running then
            is given up ``ROUND_GRACE`` later [seconds].
        clock: the time source [seconds].
        state: gets the tasks' seconds and ``clock_stopped`` when ``stop`` cuts the pass.

    Yields:
        Each solved block's ``BlockSolution``, in ``order``.
    """
    size = CHUNK_TURNS * executor.slots
    for start in range(0, len(order), size):
        now = clock()
        if now >= stop:
            state.clock_stopped = True
            return
        chunk = order[start : start + size]
        turns = math.ceil((len(order) - start) / executor.slots)
        window = stop - now
        limit = None if math.isinf(window) else max(MIN_TASK_SECONDS, 3.0 * window / turns)
        hard = None if limit is None else max(window, limit) + ROUND_GRACE
        tasks = [
            Task(k, objective_of(k), backend, replace(options, time_limit=limit)) for k in chunk
        ]
        for solution in executor.map(tasks, hard):
            state.subproblem_seconds += solution.seconds
            yield solution
