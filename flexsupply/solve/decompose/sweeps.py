"""Fix-and-optimise by style, several neighbourhoods at a time, merged in a fixed order.

``PlanSearch.by_style`` frees one group of styles at a time (``style_fix.py``) and re-plans it
from the best plan. With a width of one (the default, also the hybrid's: ``hybrid.py``) that
is one sub-MIP after the other, on one core; with a width of ``WIDTH`` the groups of a sweep
are taken that many at a time: each group of a batch is re-planned from the same best plan,
on its own process (one HiGHS thread each, the program loaded once per process), and the
batch's answers are merged in the groups' order, never in the order they finish:

- the answers better than the best plan, each alone;
- every group's styles taken from its answer at once (the groups share no style), with the
  shared columns (supplier selection, cash) of each answer in turn, and of the best plan;

the best candidate feasible for the whole program wins (ties: the first in that order). Since
the groups share the factories' rows, two answers that each fit may not fit together; then the
better one is kept and the other group is re-planned once more, from the merged plan, in the
next batch. Every sub-MIP stops on a node limit, so the plan depends only on the program, the
start, the seed and the width, not on how many processes run the batch (one process runs it
in turn) or how busy they are; the deadline is a safety net.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import zip_longest
from multiprocessing import get_context

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import BoolArray, FloatArray
from flexsupply.backends import interrupt
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.model.program import SHARED, LinearProgram
from flexsupply.solve.decompose.executors import stop_processes
from flexsupply.solve.decompose.style_fix import StyleFix

WIDTH = 2
"""Groups of styles re-planned from the same plan before their answers are merged, when
several are (a count: the plan does not depend on the processes that run them)."""
STOP_SECONDS = 5.0
"""How long a sweep process may take to end when the pool closes, before it is killed."""

_FIX: list[StyleFix] = []
"""The whole program loaded in HiGHS, in a sweep process (set once when it starts)."""


@dataclass(frozen=True)
class Job:
    """One sub-MIP: the styles ``free`` re-planned, every other style at ``point``.

    Attributes:
        free: per style, whether it is free.
        point: the plan the sub-MIP starts from and fixes the other styles at.
        nodes: branch-and-bound nodes (None: no limit).
        seconds: the safety net [seconds] (inf: none).
    """

    free: BoolArray
    point: FloatArray
    nodes: int | None
    seconds: float


def _install(path: str) -> None:
    """Loads the program pickled in ``path`` into HiGHS, on one thread, in this process.

    Ctrl-C is left to the main process (``backends.interrupt``): it ends the sweep before the
    next batch and stops these processes.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with open(path, "rb") as stream:
        program = pickle.load(stream)
    fix = StyleFix(program)
    fix._mip.set_option("threads", 1)
    _FIX[:] = [fix]


def _run(fix: StyleFix, job: Job) -> FloatArray | None:
    """Returns the sub-MIP's plan (feasible for the whole program) or None."""
    deadline = time.perf_counter() + job.seconds
    return fix.solve(job.free, job.point, job.nodes, deadline, job.point)


def _run_loaded(job: Job) -> FloatArray | None:
    """Runs ``job`` against the program this process loaded."""
    return _run(_FIX[0], job)


class Sweeps:
    """Runs fix-and-optimise by style ``width`` groups at a time (module docstring).

    Args:
        fix: the whole program (in maximisation form) loaded for fix-and-optimise by style.
        width: groups re-planned from the same plan, merged after.
        processes: sweep processes (1: every sub-MIP in this process, in turn; at most
            ``width``).
        tight: every other sweep (the first, third, ...) groups the styles that share the
            tightest rows (``tight_groups``) instead of a seeded order.
    """

    def __init__(
        self, fix: StyleFix, width: int = 1, processes: int = 1, tight: bool = False
    ) -> None:
        self.program = fix.program
        self.fix = fix
        self.tight = tight
        self.width = max(1, width)
        self.processes = max(1, min(processes, self.width))
        self._pool: ProcessPoolExecutor | None = None
        self._shipped: str | None = None

    def batch(
        self, groups: Sequence[BoolArray], x: FloatArray, nodes: int | None, deadline: float
    ) -> tuple[FloatArray | None, list[int]]:
        """Re-plans each group of ``groups`` from ``x`` and merges the answers.

        Args:
            groups: per group, its styles' mask; the groups share no style.
            x: the best plan, feasible for the whole program.
            nodes: nodes of each sub-MIP.
            deadline: a ``time.perf_counter()`` safety net.

        Returns:
            ``(plan, left_out)``: the best merged plan if it is better than ``x`` (feasible
            for the whole program), else None; and the groups whose better answer it left out.
        """
        seconds = deadline - time.perf_counter()
        jobs = [Job(free, x, nodes, seconds) for free in groups]
        answers: list[FloatArray | None] | None = None
        if self.processes > 1 and len(jobs) > 1:
            try:
                answers = list(self._started().map(_run_loaded, jobs))
            except (BrokenProcessPool, OSError):
                # A process died (out of memory, killed) or none could start: the rest run
                # here, with the same plan.
                self.close()
                self.processes = 1
        if answers is None:
            answers = [_run(self.fix, job) for job in jobs]
        plan = merge(self.program, self.fix.style, x, groups, answers)
        value = self.program.value(x)
        left_out = []
        for k, answer in enumerate(answers):
            if answer is None or self.program.value(answer) <= value or plan is None:
                continue  # with no plan kept, no answer was better and feasible
            own = self._columns(groups[k])
            if not np.allclose(plan[own], answer[own]):
                left_out.append(k)
        return plan, left_out

    def sweep(
        self,
        groups: Sequence[BoolArray],
        best: Callable[[], FloatArray | None],
        nodes: int | None,
        deadline: float,
        stop: Callable[[], bool],
    ) -> Iterator[FloatArray]:
        """Yields each better plan of one sweep over ``groups``, ``width`` groups at a time.

        Each batch starts from ``best()`` (the caller keeps what is yielded). A group whose
        better answer the merge left out (it clashed with another group's on a shared row) is
        re-planned once more, from the merged plan, in the next batch: the work a clash would
        lose is redone rather than dropped. ``stop()`` or Ctrl-C ends the sweep before a batch.
        """
        queue, carried = list(groups), list[BoolArray]()
        while queue or carried:
            if stop() or interrupt.requested():
                return
            x = best()
            if x is None:
                return
            take = self.width - len(carried)
            batch, queue = carried + queue[:take], queue[take:]
            plan, left_out = self.batch(batch, x, nodes, deadline)
            carried = [batch[k] for k in left_out if k >= len(carried)]
            if plan is not None:
                yield plan

    def _columns(self, free: BoolArray) -> BoolArray:
        """Returns the mask of the columns of the styles ``free``."""
        style = self.fix.style
        own: BoolArray = (style != SHARED) & free[np.where(style == SHARED, 0, style)]
        return own

    def groups(self, sweep: int, seed: int, size: int, x: FloatArray) -> list[BoolArray]:
        """Returns the groups of sweep number ``sweep`` (from 0) from the best plan ``x``.

        Each group holds about ``size`` integer columns: ``tight_groups`` on even sweeps when
        ``tight``, else the styles in the order seeded by ``seed + sweep``.
        """
        if self.tight and sweep % 2 == 0:
            return tight_groups(self.fix, x, size)
        return self.fix.groups(seed + sweep, size)

    def _started(self) -> ProcessPoolExecutor:
        """Returns the process pool, started on first use (spawn: solvers keep threads)."""
        if self._pool is None:
            handle, self._shipped = tempfile.mkstemp(prefix="flexsupply-sweep-", suffix=".pkl")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(self.program, stream, protocol=pickle.HIGHEST_PROTOCOL)
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=get_context("spawn"),
                initializer=_install,
                initargs=(self._shipped,),
            )
        return self._pool

    def close(self) -> None:
        """Stops the sweep processes and deletes the pickled program."""
        pool, self._pool = self._pool, None
        if pool is not None:
            stop_processes(pool, STOP_SECONDS, STOP_SECONDS + 1.0)
        if self._shipped is not None:
            with contextlib.suppress(OSError):
                os.remove(self._shipped)
            self._shipped = None


def merge(
    program: LinearProgram,
    style: np.ndarray,
    x: FloatArray,
    groups: Sequence[BoolArray],
    answers: Sequence[FloatArray | None],
) -> FloatArray | None:
    """Returns the best feasible merge of the groups' ``answers`` if better than ``x``, else None.

    Candidates, in order (the first of equal value wins): each answer alone, then every
    answer's styles at once with the shared columns of each answer in turn, then of ``x``.
    """
    value = program.value(x)
    better = [
        (k, a)
        for k, a in enumerate(answers)
        if a is not None
        and program.violation(a) <= FEASIBILITY_TOLERANCE
        and program.value(a) > value
    ]
    candidates = [a for _, a in better]
    if len(better) > 1:
        joined = x.copy()
        for k, a in better:
            own = (style != SHARED) & groups[k][np.where(style == SHARED, 0, style)]
            joined[own] = a[own]
        shared = style == SHARED
        for source in [*(a for _, a in better), x]:
            candidate = joined.copy()
            candidate[shared] = source[shared]
            candidates.append(candidate)
    best, best_value = None, value
    for candidate in candidates:
        candidate = np.clip(candidate, program.col_lower, program.col_upper)
        if program.violation(candidate) > FEASIBILITY_TOLERANCE:
            continue
        if (found := program.value(candidate)) > best_value:
            best, best_value = candidate, found
    return best


def sweep_processes(workers: int | None, width: int) -> int:
    """Returns how many sweep processes to run: ``workers`` (default: all cores), ≤ ``width``."""
    count = workers if workers is not None else os.cpu_count() or 1
    return max(1, min(count, width))


def tight_groups(fix: StyleFix, x: FloatArray, size: int) -> list[BoolArray]:
    """Returns groups of styles that share the rows ``x`` leaves least room in.

    The rows joining two or more styles (factory capacity: found from the style tags, as in
    ``linking.py``) are taken tightest first (least room left at ``x``, relative to the row's
    bound); each row's styles, heaviest load first, join the current group until it holds about
    ``size`` integer columns (a larger style is a group alone). Styles in no such row come last,
    in ascending order. Styles that compete for one factory's week are thus re-planned
    together, where they can trade its room (RINS-like: the rest of the plan stays). Groups are
    then interleaved, first half with second half, so that the groups of a batch mostly load
    different rows and their answers merge.
    """
    program, style = fix.program, fix.style
    styled = np.flatnonzero(style != SHARED)
    matrix = program.matrix.tocsc()[:, styled].tocsr()
    owner = sp.csr_matrix(
        (np.ones(len(styled)), (np.arange(len(styled)), style[styled])),
        shape=(len(styled), fix.n_styles),
    )
    load = (abs(matrix).multiply(np.abs(x[styled])[None, :]) @ owner).tocsr()
    touches = (abs(matrix) @ owner).tocsr()
    linking = np.flatnonzero(np.diff(touches.indptr) >= 2)
    activity = program.matrix[linking] @ x
    room = np.minimum(
        _room(program.row_upper[linking] - activity, program.row_upper[linking]),
        _room(activity - program.row_lower[linking], program.row_lower[linking]),
    )
    sizes = fix.integer_sizes()
    order: list[int] = []
    placed = np.zeros(fix.n_styles, dtype=bool)
    for row in linking[np.argsort(room, kind="stable")]:
        begin, end = load.indptr[row], load.indptr[row + 1]
        styles, weights = load.indices[begin:end], load.data[begin:end]
        for s in styles[np.argsort(-weights, kind="stable")]:
            if weights[np.flatnonzero(styles == s)[0]] > 0 and not placed[s] and sizes[s]:
                placed[s] = True
                order.append(int(s))
    order += [int(s) for s in np.flatnonzero(~placed & (sizes > 0))]
    groups = fix.pack(order, size)
    half = (len(groups) + 1) // 2
    return [g for pair in zip_longest(groups[:half], groups[half:]) for g in pair if g is not None]


def _room(slack: FloatArray, bound: FloatArray) -> FloatArray:
    """Returns ``slack`` relative to ``bound``'s size (at least 1), inf where it is infinite."""
    finite = np.isfinite(bound)
    size = np.maximum(np.abs(np.where(finite, bound, 1.0)), 1.0)
    return np.where(finite, np.where(finite, slack, 0.0) / size, np.inf)
