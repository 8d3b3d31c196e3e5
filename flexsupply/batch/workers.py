"""Where a batch's variants are solved: this process, local worker processes, or a Dask cluster.

Local workers store each plan in the output folder themselves as soon as it is solved, so a
result does not depend on the parent process living long enough to receive it. Each worker also
watches its parent: when the parent is gone (killed, even with SIGKILL), the worker finishes the
variant it is solving, stores it, takes no other and exits, and with the last worker gone the
multiprocessing resource tracker exits too. ``resume`` then solves only what is missing.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flexsupply.batch.store import write_plan
from flexsupply.batch.variants import BatchError, Variant
from flexsupply.errors import SolveError
from flexsupply.fds import fd_redirected
from flexsupply.scenario import Scenario
from flexsupply.solve.settings import SolveSettings

PARENT_POLL_SECONDS = 0.5
"""How often a worker checks that the process that started it is still there [seconds]."""
DASK_CONNECT_SECONDS = 10.0
"""How long reaching a Dask scheduler may take before the batch gives up [seconds]."""

Outcome = tuple[str, dict[str, Any] | None, str, float]
"""What solving one variant gave: status, plan data, reason without a plan, seconds."""


@dataclass(frozen=True)
class Job:
    """One variant to solve, with everything a worker needs (no file is read in the worker)."""

    variant: Variant
    scenario: Scenario
    """The validated scenario after the variant's overrides (a Dask worker on another machine
    needs no copy of the file)."""
    settings: SolveSettings
    fingerprint: str
    """What the plan is made from (``store.fingerprint``), stored beside it."""
    folder: Path | None = None
    """The batch's output folder, when the worker stores the plan itself."""


_busy = threading.Lock()
_orphaned = threading.Event()


def solve_job(job: Job) -> Outcome:
    """Solves one variant and, with ``job.folder``, stores its plan there.

    Returns:
        Status, plan data, reason (without a plan) and wall-clock seconds; a job that reaches a
        worker whose parent is gone is not solved (``error``).
    """
    from flexsupply.solve.engine import solve

    with _busy:
        if _orphaned.is_set():
            return "error", None, "the batch that asked for this variant has stopped", 0.0
        started = time.perf_counter()
        sys.stdout.flush()
        # Engines such as HiGHS print a banner from C code; stdout belongs to the batch's table.
        try:
            with fd_redirected(1, 2):
                plan = solve(job.scenario, job.settings)
        except SolveError as error:
            return "no plan", None, str(error), time.perf_counter() - started
        data = plan.to_dict()
        if job.folder is not None:
            write_plan(job.folder, job.variant, data, job.fingerprint)
        return str(plan.status), data, "", time.perf_counter() - started


def run_here(jobs: list[Job]) -> Iterator[tuple[int, Outcome]]:
    """Yields ``(job index, outcome)`` for each job, solved one after another in this process."""
    for index, job in enumerate(jobs):
        yield index, solve_job(job)


def run_locally(jobs: list[Job], workers: int) -> Iterator[tuple[int, Outcome]]:
    """Yields ``(job index, outcome)`` as jobs finish in ``workers`` worker processes."""
    # spawn, not fork: solver libraries keep threads that a forked child must not inherit.
    pool = ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_watch_parent,
        initargs=(os.getpid(),),
    )
    futures: dict[Future[Outcome], int] = {
        pool.submit(solve_job, job): index for index, job in enumerate(jobs)
    }
    try:
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.__getitem__):
                yield futures.pop(future), outcome_of(future.exception(), future)
    except BaseException:
        # Ctrl-C or an error here: start no other variant and do not wait for the running
        # ones; their workers store them and exit when this process is gone.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _watch_parent(parent: int) -> None:
    """Starts the thread that ends this worker once the process that started it is gone.

    Ctrl-C reaches every process of the terminal; a worker ignores it and finishes (and
    stores) the variant it is solving, so the parent alone decides to stop.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        _orphaned.set()
        with _busy:  # the variant being solved is finished and stored first
            os._exit(0)

    threading.Thread(target=watch, name="flexsupply-parent-watch", daemon=True).start()


def run_on_dask(
    jobs: list[Job], workers: int, scheduler: str | None
) -> Iterator[tuple[int, Outcome]]:
    """Yields ``(job index, outcome)`` as Dask tasks finish.

    Raises:
        BatchError: Dask is not installed, or ``scheduler`` cannot be reached or is no Dask
            scheduler.
    """
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise BatchError(
            "the dask executor needs Dask's distributed scheduler: pip install 'flexsupply[dask]'"
        ) from None
    if not jobs:
        return
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=":0"
        )
        client = distributed.Client(cluster)
    else:
        client = _connect(distributed, scheduler)
    try:
        futures = {
            client.submit(solve_job, job, key=f"flexsupply-variant-{index}", pure=False): index
            for index, job in enumerate(jobs)
        }
        for future in distributed.as_completed(futures):
            yield futures[future], outcome_of(future.exception(), future)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(distributed: Any, scheduler: str) -> Any:
    """Returns a Dask client of ``scheduler``, checked to be reachable and to speak Dask.

    Raises:
        BatchError: the address is malformed, nothing listens there, or what listens is not a
            Dask scheduler (each within ``DASK_CONNECT_SECONDS``).
    """
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None:
        raise BatchError(
            f"--dask {scheduler}: expected a scheduler address such as tcp://10.0.0.5:8786"
        )
    try:
        with socket.create_connection((parts.hostname, port), timeout=DASK_CONNECT_SECONDS):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {reason}") from None
    try:
        return distributed.Client(address, timeout=DASK_CONNECT_SECONDS)
    except Exception as error:  # the client fails in many ways on a server that is not Dask
        raise BatchError(
            f"{scheduler} does not answer as a Dask scheduler ({type(error).__name__}); "
            "check the address and port (the scheduler's default port is 8786)"
        ) from None


def outcome_of(error: BaseException | None, future: Any) -> Outcome:
    """Returns a finished task's outcome; a crash in the task becomes an ``error`` result."""
    if error is None:
        result: Outcome = future.result()
        return result
    return "error", None, f"{type(error).__name__}: {error}", 0.0


__all__ = [
    "DASK_CONNECT_SECONDS",
    "PARENT_POLL_SECONDS",
    "Job",
    "Outcome",
    "outcome_of",
    "run_here",
    "run_locally",
    "run_on_dask",
    "solve_job",
]
