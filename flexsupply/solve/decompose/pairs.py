"""The repair's one-style re-plans, a few at a time: one here, the others on helper processes.

``PlanSearch.one_style_at_a_time`` re-plans the styles a Lagrangian solution breaks rows with,
each alone, every other style fixed at the best plan (``style_fix.py``). Each sub-MIP is serial
and 2-6 s on spring-drop, so one at a time leaves a core idle. Here they are taken ``WIDTH`` at
a time: a batch is the next style in the given order, then the next styles of the order that
share none of the batch's broken linking rows (so their answers rarely clash); each style of
the batch is re-planned from the same best plan, the first in this process and the others on
helper processes (one HiGHS thread each, the program loaded once per process while this
process still runs the repair's dives). The answers are merged in the batch's order, never in
the order they finish (``sweeps.merge``); a style whose better answer the merge left out (it
clashed with another's on a shared row) is re-planned once more, first in the next batch, from
the merged plan. Every sub-MIP stops on a node limit, so the plan depends on the program, the
start, the order and ``WIDTH``, never on how many processes run the batches (with none, this
process runs each batch in turn) or how busy they are; the deadline is a safety net.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.backends import interrupt
from flexsupply.model.program import SHARED
from flexsupply.solve.decompose.executors import ROUND_GRACE
from flexsupply.solve.decompose.style_fix import StyleFix
from flexsupply.solve.decompose.sweeps import _FIX as LOADED  # a sweep process's program
from flexsupply.solve.decompose.sweeps import Job, Sweeps, merge

WIDTH = 2
"""Styles re-planned from the same plan before their answers are merged (a count: the plan
does not depend on the processes that run them)."""


def _ready() -> bool:
    """Returns True once this helper process has loaded the program (its first task)."""
    return bool(LOADED)


def replan(fix: StyleFix, job: Job) -> FloatArray | None:
    """Returns the re-plan of ``job.free`` (feasible for the whole program) or None.

    HiGHS's restart is off: it would re-run the root, most of such a sub-MIP's cost.
    """
    deadline = time.perf_counter() + job.seconds
    return fix.solve(job.free, job.point, job.nodes, deadline, job.point, False)


def _replan_loaded(job: Job) -> FloatArray | None:
    """Runs ``job`` against the program this helper process loaded."""
    return replan(LOADED[0], job)


def row_styles(fix: StyleFix, rows: IntArray) -> BoolArray:
    """Returns, per style and row of ``rows``, whether the style has a column in the row."""
    matrix = fix.program.matrix[rows].tocsr()
    styles = fix.style[matrix.indices]
    row = np.repeat(np.arange(len(rows)), np.diff(matrix.indptr))
    touches = np.zeros((fix.n_styles, len(rows)), dtype=bool)
    styled = styles != SHARED
    touches[styles[styled], row[styled]] = True
    return touches


def next_batch(queue: list[int], touches: BoolArray, width: int) -> list[int]:
    """Takes from ``queue`` its first style and the next ones that share none of its rows.

    Args:
        queue: styles in the order they are re-planned (changed in place).
        touches: per style, the rows it has a column in (``row_styles``).
        width: styles in a batch at most.

    Returns:
        The batch, in the queue's order.
    """
    batch = [queue[0]]
    used = touches[queue[0]].copy()
    for style in queue[1:]:
        if len(batch) >= width:
            break
        if not (touches[style] & used).any():
            batch.append(style)
            used |= touches[style]
    for style in batch:
        queue.remove(style)
    return batch


class Pairs:
    """Re-plans styles ``WIDTH`` at a time (module docstring).

    Args:
        fix: the whole program (in maximisation form) loaded for fix-and-optimise by style.
        processes: processes that run a batch, this one included (1: this process alone).
        width: styles in a batch at most.
    """

    def __init__(self, fix: StyleFix, processes: int = 1, width: int = WIDTH) -> None:
        self.fix = fix
        self.width = max(1, width)
        self.helpers = max(0, min(processes, self.width) - 1)
        # The helper processes are a sweep's (``sweeps.py``): the program loaded by style, on
        # one HiGHS thread, Ctrl-C left to this process.
        self._loaded = Sweeps(fix, self.helpers, self.helpers)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Starts the helper processes, which load the program while this process works on."""
        if self.helpers and self._pool is None:
            self._pool = self._loaded._started()
            for _ in range(self.helpers):
                self._pool.submit(_ready)

    def answers(
        self, batch: Sequence[int], x: FloatArray, nodes: int | None, deadline: float
    ) -> list[FloatArray | None]:
        """Returns each style's re-plan from ``x`` (None where none was found), in order.

        The first style runs here, the others on the helpers; a helper that died or did not
        answer by the deadline (plus ``ROUND_GRACE``) leaves its style to this process.
        """
        seconds = deadline - time.perf_counter()
        styles = np.arange(self.fix.n_styles)
        singles = [Job(styles == style, x, nodes, seconds) for style in batch]
        if len(singles) > 1:
            self.start()
        futures: list[Future[FloatArray | None] | None] = [None] * len(singles)
        if self._pool is not None:
            try:
                for k in range(1, len(singles)):
                    futures[k] = self._pool.submit(_replan_loaded, singles[k])
            except (BrokenProcessPool, RuntimeError, OSError):
                self.close()
        answers = [replan(self.fix, singles[0])]
        for k in range(1, len(singles)):
            answers.append(self._collect(futures[k], singles[k]))
        return answers

    def _collect(self, future: Future[FloatArray | None] | None, single: Job) -> FloatArray | None:
        """Returns the helper's answer, or this process's own when the helper failed it."""
        if future is not None:
            try:
                limit = None if math.isinf(single.seconds) else single.seconds + ROUND_GRACE
                return future.result(timeout=limit)
            except (BrokenProcessPool, FutureTimeout, OSError):
                self.close()
        return replan(self.fix, single)

    def sweep(
        self,
        order: Sequence[int],
        touches: BoolArray,
        best: Callable[[], FloatArray | None],
        nodes: int | None,
        deadline: float,
        stop: Callable[[], bool],
    ) -> Iterator[FloatArray]:
        """Yields each better plan of re-planning the styles ``order``, a batch at a time.

        Each batch (``next_batch``) starts from ``best()`` (the caller keeps what is yielded).
        A style whose better answer the merge left out is re-planned once more, first in the
        next batch. ``stop()`` or Ctrl-C ends the re-plans before a batch.
        """
        queue, program, style = list(order), self.fix.program, self.fix.style
        carried: set[int] = set()
        while queue:
            if stop() or interrupt.requested():
                return
            x = best()
            if x is None:
                return
            batch = next_batch(queue, touches, self.width)
            answers = self.answers(batch, x, nodes, deadline)
            masks = [np.arange(self.fix.n_styles) == s for s in batch]  # as ``answers`` frees
            plan = merge(program, style, x, masks, answers)
            plan = self.joined(x, batch, answers, plan, nodes, deadline)
            if plan is not None:
                value = program.value(x)
                own = style[None, :] == np.asarray(batch)[:, None]
                again = [
                    s
                    for k, s in enumerate(batch)
                    if (a := answers[k]) is not None
                    and s not in carried
                    and program.value(a) > value
                    and not np.allclose(plan[own[k]], a[own[k]])
                ]
                carried.update(again)
                queue[:0] = again
                yield plan

    def joined(
        self,
        x: FloatArray,
        batch: Sequence[int],
        answers: Sequence[FloatArray | None],
        merged: FloatArray | None,
        nodes: int | None,
        deadline: float,
    ) -> FloatArray | None:
        """Returns every better answer's styles at once, the shared columns re-solved, if best.

        ``merge`` takes the shared columns (cash, supplier selection) from one answer or from
        ``x``; when two styles both change what they spend, no such copy fits both, and the
        merge keeps one answer alone. Here every style is fixed where its better answer (or
        ``x``) has it and the shared columns are solved for them (``StyleFix.solve`` with no
        style free): on spring-drop 0.5 s, and the two styles' gains add up.

        Returns:
            That plan when it is feasible and better than ``merged`` (and ``x``), else
            ``merged``.
        """
        program, style = self.fix.program, self.fix.style
        value = program.value(x) if merged is None else program.value(merged)
        better = [
            s
            for s, a in zip(batch, answers, strict=True)
            if a is not None and program.value(a) > program.value(x)
        ]
        if len(better) < 2:
            return merged
        point = x.copy()
        for s, a in zip(batch, answers, strict=True):
            if s in better and a is not None:
                point[style == s] = a[style == s]
        none = np.zeros(self.fix.n_styles, dtype=bool)
        plan = self.fix.solve(none, point, nodes, deadline, None, False)
        return plan if plan is not None and program.value(plan) > value else merged

    def close(self) -> None:
        """Stops the helper processes and deletes the pickled program."""
        if self._pool is not None:
            self.helpers = 0
        self._pool = None
        self._loaded.close()
