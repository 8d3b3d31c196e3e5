"""One scenario part's MILP, solved style by style, and the processes that run them.

A part (``scenario_parts.py``) is one scenario of the season with its own copy of the first
stage: ~2,500 columns and ~1,000 on/off decisions on spring-drop, whose MILP takes HiGHS 8-40 s
at the root. Split again by style (``by_style.solve_by_style``: LP duals price the rows that
link styles inside the scenario, each style's small MILP gives the bound, the switches fixed
give a plan), it takes about a second, and its bound L(μ) is still valid for the part. With the
first stage fixed (the plan side), the by-style plan (polished when not within the gap) is
kept; only when the split finds none does the part's MILP run through the chosen backend.

``PartPool`` runs parts on local spawned processes (or in this process with one worker), or
on a Dask cluster (``executors.Executor`` connects and falls back), in the parts' order whatever
order they finish in, so the answer does not depend on the pool.
"""

from __future__ import annotations

import importlib
import math
import time
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import current_process, get_context

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.model.program import LinearProgram
from flexsupply.solve.by_style import solve_by_style
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.decompose.executors import Executor, stop_processes
from flexsupply.solve.decompose.relaxation import lp_relaxation

STOP_SECONDS = 2.0
"""Seconds a pool's processes get to end before they are killed."""


@dataclass(frozen=True)
class PartJob:
    """One part to solve, picklable.

    Attributes:
        program: the part's program (a maximisation), its columns tagged with styles.
        kind: ``plan`` (a fixed first stage: a plan within ``gap`` is wanted), ``bound`` (a
            proven bound and the styles' own solutions) or ``lp`` (the LP bound alone).
        gap: relative gap of the plan side; the bound side's style MILPs get 1 % of it.
        seconds: safety net of the whole job [seconds] (None: none).
        backend: backend of the plan side's fallback MILP.
        options: its options (node limit, seed, engine).
    """

    program: LinearProgram
    kind: str
    gap: float
    seconds: float | None
    backend: str
    options: SolverOptions


@dataclass(frozen=True)
class PartAnswer:
    """What a part's solve gives back.

    Attributes:
        bound: a proven bound on the part's optimum [currency]; inf when none.
        x: the bound side's styles' solutions side by side, or the plan side's plan (empty
            when none).
        value: the plan's objective [currency]; nan without a plan.
        seconds: wall time [seconds].
    """

    bound: float
    x: FloatArray
    value: float
    seconds: float


def solve_part(job: PartJob) -> PartAnswer:
    """Solves one part style by style (see the module docstring).

    Returns:
        The ``PartAnswer``: on the bound side an infinite bound when the style split could not
        compute one in time.
    """
    started = time.perf_counter()
    program = job.program
    if job.kind == "lp":
        return PartAnswer(_lp_bound(program), np.zeros(0), math.nan, time.perf_counter() - started)
    deadline = Deadline(job.seconds)
    split = solve_by_style(program, job.gap, deadline, polish=job.kind == "plan")
    if job.kind == "bound":
        bound = split.bound if math.isfinite(split.bound) else math.inf
        x = np.zeros(0) if split.glued is None else split.glued
        return PartAnswer(bound, x, math.nan, time.perf_counter() - started)
    plan = split.start  # proven or not: the part's MILP may take a minute at its root
    if plan is not None:
        return PartAnswer(split.bound, plan, program.value(plan), time.perf_counter() - started)
    left = deadline.left()
    options = replace(job.options, gap=job.gap, time_limit=None if left is None else max(left, 1.0))
    result = get_backend(job.backend).solve(program, options)
    x, value = np.zeros(0), math.nan
    if result.status.has_plan and program.violation(result.x) <= FEASIBILITY_TOLERANCE:
        x, value = result.x, program.value(result.x)
    bound = min(split.bound, result.bound) if math.isfinite(result.bound) else split.bound
    return PartAnswer(bound, x, value, time.perf_counter() - started)


def _lp_bound(program: LinearProgram) -> float:
    """Returns the part's LP relaxation bound (inf when it is not solved)."""
    bound = lp_relaxation(program, None).bound
    return bound if math.isfinite(bound) else math.inf


LOST = PartAnswer(math.inf, np.zeros(0), math.nan, math.nan)
"""The answer of a job that did not come back: no bound, no plan."""


class PartPool:
    """Runs part jobs on ``workers`` local processes or a Dask cluster; ``close`` ends them.

    Args:
        workers: processes (1, or inside a daemon process: this process), or LocalCluster
            workers.
        scheduler: a Dask scheduler's address, or ``local`` for a LocalCluster of ``workers``;
            None: local processes. A cluster unreachable, or gone mid-run, leaves the parts to
            local processes (``notes`` says so).
    """

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        self.workers = max(1, workers)
        self.lost = 0
        self.notes: list[str] = []
        self._pool: ProcessPoolExecutor | None = None
        self._dask: Executor | None = None
        if scheduler is not None:
            self._dask = Executor("dask", self.workers, scheduler)
            self._dask_gone()

    def map(self, jobs: list[PartJob], seconds: float | None) -> list[PartAnswer]:
        """Returns the jobs' answers in order; a job not done after ``seconds`` is lost.

        ``seconds`` None waits for every job. A lost job's answer is ``LOST``.
        """
        if self._dask is not None:
            answers = self._on_dask(jobs, seconds)
            if answers is not None:
                return answers
        if self.workers == 1 or current_process().daemon:
            return [solve_part(job) for job in jobs]
        if self._pool is None:
            # spawn, not fork: solver libraries keep threads that a forked child must not inherit.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
        lost_before = self.lost
        try:
            futures = [self._pool.submit(solve_part, job) for job in jobs]
        except BrokenProcessPool:  # a process of the last round died: this pool takes no job
            self.close(grace=0.0)
            self.lost += len(jobs)
            return [LOST] * len(jobs)
        _, running = wait(futures, timeout=seconds)
        answers = [self._answer(future, job) for future, job in zip(futures, jobs, strict=True)]
        if running or self.lost > lost_before:
            self.close(grace=0.0)  # mid-solve or broken: nothing to wait for, a new pool next
        return answers

    def _on_dask(self, jobs: list[PartJob], seconds: float | None) -> list[PartAnswer] | None:
        """Returns the jobs' answers from the Dask cluster, or None when it went away.

        A job not done after ``seconds`` is cancelled and lost, as on local processes.
        """
        assert self._dask is not None
        client = self._dask.client
        distributed = importlib.import_module("distributed")
        try:
            futures = client.map(solve_part, jobs, pure=False)
            done, _ = distributed.wait(futures, timeout=seconds, return_when="ALL_COMPLETED")
        except TimeoutError:
            done = {future for future in futures if future.done()}
        except Exception as error:  # a lost cluster raises many kinds of errors
            self._dask.notes.append(f"the Dask cluster went away ({type(error).__name__})")
            self._dask_gone(force=True)
            return None
        answers = []
        for future in futures:
            try:
                answers.append(future.result() if future in done else LOST)
            except distributed.KilledWorker:  # the job's workers died
                answers.append(LOST)
            if answers[-1] is LOST:
                future.cancel()
                self.lost += 1
        return answers

    def _dask_gone(self, force: bool = False) -> None:
        """Notes and closes a Dask executor that fell back (or ``force``) to local processes."""
        if self._dask is None or (self._dask.client is not None and not force):
            return
        notes = [note.split("; ")[0] for note in self._dask.notes]
        self.notes += [f"{note}; scenario parts run on local processes instead" for note in notes]
        self._dask.close()
        self._dask = None

    def _answer(self, future: Future[PartAnswer], job: PartJob) -> PartAnswer:
        if future.done():
            try:
                return future.result()
            except BrokenProcessPool:
                pass
        self.lost += 1
        return LOST

    def close(self, grace: float = STOP_SECONDS) -> None:
        """Stops the processes (and the Dask cluster): each gets ``grace`` seconds to end."""
        if self._dask is not None:
            self._dask.close()
            self._dask = None
        pool, self._pool = self._pool, None
        if pool is not None:
            stop_processes(pool, grace, STOP_SECONDS)
