"""Where subproblems run: in this process, on local processes, or on a Dask cluster.

Every executor returns the results in the order of the tasks, whatever order they finish in,
so the same seed gives the same plan on any of them. ``load`` ships the blocks' programs once
(to each local process when it starts, or scattered to every Dask worker); a round then sends
only each block's priced objective. Blocks of more than ``SHARD_BYTES`` in all are shared out
instead: each local process (or Dask worker) holds only its own blocks, and a block's tasks go
to the process that holds it. A Dask cluster that goes away falls back to local
processes for the rest of the run (and says so in ``notes``).

A round on local processes has a hard limit: a task still running then (an engine that ignores
its time limit) or whose process died (out of memory, killed) is given up, its processes are
killed and a new pool starts with the next round. A task given up comes back ``lost``: no
solution, and its block's LP bound, so the round still gives a valid Lagrangian bound.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
import pickle
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import current_process, get_context
from typing import Any

import numpy as np

from flexsupply.errors import MethodError
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.relaxation import lp_relaxation
from flexsupply.solve.decompose.subproblems import (
    BlockSolution,
    Task,
    forget_blocks,
    solve_on_one_thread,
    solve_task,
)

EXECUTORS = ("serial", "local", "dask")
"""Executor names: this process, local processes (the default), a Dask cluster."""
DASK_CONNECT_SECONDS = 5
"""How long to wait for a Dask scheduler before running on local processes [seconds]."""
ROUND_GRACE = 3.0
"""A round may overrun its subproblems' limits (and the method's deadline) by this much before
they are given up: HiGHS checks its clock only between steps [seconds]."""
STOP_SECONDS = 5.0
"""How long a local process may take to end when the executor closes, before it is killed."""
LOST_LP_SECONDS = 3.0
"""Time for the LP relaxations that bound the blocks of a round's lost tasks [seconds]."""
LOST = "lost"
"""Status of a task given up: its process died, or it ran past the round's hard limit."""
SHARD_BYTES = 256 * 2**20
"""Blocks' programs of more than this many bytes in all are shared out among the local
processes, each holding only its own blocks (a static share, balanced by size): every process
holding every block took a copy of the whole program per process (about 1 GB each at
2000x20x26x20). Below it every process holds every block and takes the next task free."""

_LOADED: dict[int, LinearProgram] = {}
"""The blocks' programs in a local worker process, by block (set once when it starts)."""


def _install(path: str) -> None:
    """Keeps the blocks' programs (pickled in the file ``path``) in this worker process.

    Ctrl-C reaches every process of the terminal's group: it is left to the main process
    (``backends.interrupt``), which ends the run and stops these processes; a worker that took
    it would die mid-task and lose its round.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    solve_on_one_thread()
    with open(path, "rb") as stream:
        _LOADED.clear()
        _LOADED.update(pickle.load(stream))


def loaded_blocks() -> list[int]:
    """Returns the blocks this worker process holds, ascending."""
    return sorted(_LOADED)


def program_bytes(program: LinearProgram) -> int:
    """Returns the bytes of a program's arrays (matrix and vectors) [bytes]."""
    matrix = program.matrix
    vectors = (program.objective, program.row_lower, program.row_upper, program.col_lower)
    return int(
        sum(v.nbytes for v in vectors)
        + program.col_upper.nbytes
        + program.integer.nbytes
        + sum(a.nbytes for a in (matrix.data, matrix.indices, matrix.indptr))
    )


def shares_of(programs: Sequence[LinearProgram], workers: int) -> list[int]:
    """Returns the worker that holds each block: largest first, to the least loaded worker.

    Returns:
        One worker index per block; the workers' bytes differ by at most one block's.
    """
    sizes = [program_bytes(program) for program in programs]
    held = [0] * workers
    home = [0] * len(programs)
    for k in sorted(range(len(programs)), key=lambda k: -sizes[k]):
        worker = min(range(workers), key=held.__getitem__)
        home[k] = worker
        held[worker] += sizes[k]
    return home


def _solve_loaded(task: Task) -> BlockSolution:
    """Solves ``task`` against the block program this process was given."""
    return solve_task(_LOADED[task.block], task)


def stop_processes(pool: ProcessPoolExecutor, grace: float, after_kill: float) -> None:
    """Shuts ``pool`` down: each process gets ``grace`` seconds to end, then is killed.

    ``shutdown`` alone would wait for a hung task forever; ``after_kill`` bounds the wait for a
    killed process to be reaped [seconds].
    """
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join(after_kill)


def lost(task: Task, program: LinearProgram, until: float) -> BlockSolution:
    """Returns the answer of a task given up: no solution, the bound of its LP relaxation.

    The block's priced LP, solved here until ``until`` (a ``time.perf_counter`` value) at
    most, bounds its MILP, so the round still gives a valid Lagrangian bound; the bound is inf
    (for a maximisation) if the LP does not finish by then.
    """
    started = time.perf_counter()
    worst = math.inf if program.maximize else -math.inf
    bound = worst
    if until > started:
        relaxed = lp_relaxation(replace(program, objective=task.objective), until - started)
        bound = relaxed.bound if math.isfinite(relaxed.bound) else worst
    seconds = time.perf_counter() - started
    return BlockSolution(task.block, np.zeros(0), math.nan, bound, LOST, seconds)


class Executor:
    """Runs subproblem tasks; ``close`` frees its processes or cluster.

    Args:
        kind: one of ``EXECUTORS``.
        workers: processes or LocalCluster workers (default: all cores).
        scheduler: Dask scheduler address, or ``local`` (or None) for a LocalCluster.
        processes: LocalCluster workers are processes (True) or threads in this process.
    """

    def __init__(
        self,
        kind: str = "local",
        workers: int | None = None,
        scheduler: str | None = None,
        processes: bool = True,
    ) -> None:
        if kind not in EXECUTORS:
            raise MethodError(
                f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}", "usage", []
            )
        self.kind = kind
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.notes: list[str] = []
        self._pools: list[ProcessPoolExecutor] = []
        self._home: list[int] | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._processes = processes
        self._programs: list[LinearProgram] = []
        self._shipped: dict[int | None, str] = {}
        self._scattered: list[Any] = []
        self._seconds: dict[int, float] = {}
        if kind == "dask":
            self._connect(scheduler)

    def _connect(self, scheduler: str | None) -> None:
        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise MethodError(
                "the dask executor needs Dask's distributed scheduler: pip install 'flexsupply[dask]'"
            ) from None
        try:
            if scheduler in (None, "local"):
                self._cluster = distributed.LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    dashboard_address=":0",
                    processes=self._processes,
                )
                self._client = distributed.Client(self._cluster)
                if self._processes:
                    self._client.run(solve_on_one_thread)
            else:
                self._client = distributed.Client(scheduler, timeout=DASK_CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            self._fall_back(f"Dask scheduler {scheduler} unreachable ({error})")

    def _fall_back(self, why: str) -> None:
        self.notes.append(f"{why}; subproblems run on local processes instead")
        self.close()
        self.kind = "local"

    @property
    def client(self) -> Any:
        """Returns the Dask client (None unless ``kind`` is ``dask`` and it is connected)."""
        return self._client if self.kind == "dask" else None

    @property
    def slots(self) -> int:
        """Returns how many tasks run at once (1 in this process)."""
        return 1 if self.kind == "serial" else self.workers

    def load(self, programs: Sequence[LinearProgram]) -> None:
        """Ships the blocks' programs to where tasks run, once; task ``k`` solves ``programs[k]``.

        On Dask they are scattered to every worker; local processes get them when they start.
        """
        self._programs = list(programs)
        self._scattered = []
        self._stop_pool(wait_seconds=STOP_SECONDS)
        self._forget_shipped()
        large = sum(program_bytes(program) for program in self._programs) > SHARD_BYTES
        self._home = shares_of(self._programs, self.workers) if large and self.workers > 1 else None
        if self.kind == "dask":
            try:
                self._scattered = self._client.scatter(
                    self._programs, broadcast=self._home is None, hash=False
                )
            except Exception as error:  # a lost cluster raises many kinds of errors
                self._fall_back(f"the Dask cluster went away ({type(error).__name__})")

    def map(
        self,
        tasks: Sequence[Task],
        seconds: float | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> list[BlockSolution]:
        """Returns the solutions of ``tasks`` (against the programs ``load`` shipped), in order.

        Tasks start longest first by the last round's times (a long task started last would
        keep one worker busy after the others are done); the answer keeps the tasks' order.

        Args:
            tasks: the round's subproblems.
            seconds: the round's hard limit [seconds] (None: wait for every task), from when
                the tasks are handed out. On local processes a task not done by then comes
                back ``lost``; a Dask cluster that has not answered by then counts as gone, and
                the round runs on local processes.
            meanwhile: work for this process while the workers solve the tasks (called once,
                after they are handed out; before them when they run in this process).
        """
        once = _Once(meanwhile)
        if not tasks:
            once()
            return []
        order = sorted(range(len(tasks)), key=lambda i: -self._seconds.get(tasks[i].block, 0.0))
        solutions = self._map([tasks[i] for i in order], seconds, once)
        once()
        results: list[BlockSolution] = [solutions[0]] * len(tasks)
        for i, solution in zip(order, solutions, strict=True):
            results[i] = solution
            if solution.status != LOST:
                self._seconds[solution.block] = solution.seconds
        return results

    def _map(
        self, tasks: Sequence[Task], seconds: float | None, meanwhile: _Once
    ) -> list[BlockSolution]:
        """Returns the solutions of ``tasks`` in their order, on this executor's workers."""
        if self.kind == "dask":
            try:
                blocks = [self._scattered[task.block] for task in tasks]
                futures = self._client.map(solve_task, blocks, list(tasks), pure=False)
                # A scheduler left without workers would keep the tasks waiting forever.
                timeout = meanwhile.left(seconds)
                importlib.import_module("distributed").wait(futures, timeout=timeout)
                results: list[BlockSolution] = self._client.gather(futures)
                return results
            except Exception as error:  # a lost cluster raises many kinds of errors
                self._fall_back(f"the Dask cluster went away ({type(error).__name__})")
        if current_process().daemon and self.kind == "local":
            # Inside a Dask worker or another daemon (a batch variant): no child processes.
            self._note("subproblems ran in this process (it may not start processes)")
            self.kind = "serial"
        if self.kind == "serial" or self.workers == 1 or len(tasks) <= 1:
            meanwhile()
            return self._here(tasks)
        return self._on_pool(tasks, seconds, meanwhile)

    def _on_pool(
        self, tasks: Sequence[Task], seconds: float | None, meanwhile: _Once
    ) -> list[BlockSolution]:
        """Returns the solutions of ``tasks`` from local processes; ``lost`` past ``seconds``."""
        if not self._pools:
            # spawn, not fork: solver libraries keep threads that a forked child must not inherit.
            shares: list[int | None] = [None] if self._home is None else [*range(self.workers)]
            self._pools = [
                ProcessPoolExecutor(
                    self.workers if share is None else 1,
                    mp_context=get_context("spawn"),
                    initializer=_install,
                    initargs=(self._ship(share),),
                )
                for share in shares
            ]
        home = self._home
        futures = [
            self._pools[0 if home is None else home[task.block]].submit(_solve_loaded, task)
            for task in tasks
        ]
        _, running = wait(futures, timeout=meanwhile.left(seconds))
        until = time.perf_counter() + LOST_LP_SECONDS
        answers = [self._answer(f, t, until) for f, t in zip(futures, tasks, strict=True)]
        if running:
            self._note(
                f"{len(running)} subproblem(s) ran past the round's limit of {seconds:.0f} s "
                "and were given up; their processes were stopped"
            )
        if running or any(answer.status == LOST for answer in answers):
            self._stop_pool(wait_seconds=0.0)
        return answers

    def _ship(self, share: int | None) -> str:
        """Returns the file holding the pickled programs of worker ``share`` (None: every one).

        A file, not the initializer's arguments: those go down the new process's pipe, and
        ``submit`` would wait, without a limit, until the process has started and read them.
        """
        if share not in self._shipped:
            home = self._home
            held = {
                k: program
                for k, program in enumerate(self._programs)
                if share is None or home is None or home[k] == share
            }
            handle, self._shipped[share] = tempfile.mkstemp(
                prefix="flexsupply-blocks-", suffix=".pkl"
            )
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(held, stream, protocol=pickle.HIGHEST_PROTOCOL)
        return self._shipped[share]

    def _forget_shipped(self) -> None:
        """Deletes the files of pickled programs (new processes would need new ones)."""
        for path in self._shipped.values():
            with contextlib.suppress(OSError):
                os.remove(path)
        self._shipped = {}

    def _answer(self, future: Future[BlockSolution], task: Task, until: float) -> BlockSolution:
        """Returns the future's solution, or ``lost`` when it is not done or its process died.

        ``until`` ends the LP bounds of lost tasks (a ``time.perf_counter`` value).
        """
        if not future.done():
            return lost(task, self._programs[task.block], until)
        try:
            return future.result()
        except BrokenProcessPool:
            self._note("a subproblem process died (out of memory or killed); its tasks were lost")
            return lost(task, self._programs[task.block], until)

    def _note(self, words: str) -> None:
        """Adds ``words`` to the notes once."""
        if words not in self.notes:
            self.notes.append(words)

    def _stop_pool(self, wait_seconds: float) -> None:
        """Stops the local processes: waits ``wait_seconds`` for each to end, then kills it."""
        pools, self._pools = self._pools, []
        for pool in pools:
            stop_processes(pool, wait_seconds, wait_seconds + 1.0)

    def _here(self, tasks: Sequence[Task]) -> list[BlockSolution]:
        """Solves ``tasks`` one by one in this process."""
        return [solve_task(self._programs[task.block], task) for task in tasks]

    def close(self) -> None:
        """Shuts down the processes and the Dask client and cluster this executor started."""
        forget_blocks()
        self._stop_pool(wait_seconds=STOP_SECONDS)
        self._forget_shipped()
        self._scattered = []
        if self._client is not None:
            # A cluster that went away cannot be closed cleanly.
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
            self._cluster = None


class _Once:
    """Work for this process during a round: run once, timed (``Executor.map``'s ``meanwhile``)."""

    def __init__(self, work: Callable[[], None] | None) -> None:
        self._work = work
        self._seconds = 0.0

    def __call__(self) -> None:
        """Runs the work unless it has run."""
        work, self._work = self._work, None
        if work is not None:
            began = time.perf_counter()
            work()
            self._seconds = time.perf_counter() - began

    def left(self, seconds: float | None) -> float | None:
        """Runs the work, then returns what is left of the hard limit ``seconds`` [seconds]."""
        self()
        return None if seconds is None else max(seconds - self._seconds, 0.0)
