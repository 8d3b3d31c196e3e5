"""Where the per-sample work of a simulation runs: this process, local processes, or Dask.

Work is cut into chunks (lists of samples); each chunk is one call of a picklable function and
the results come back in chunk order, so they never depend on where or how many run.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

from flexsupply.errors import FlexsupplyError

J = TypeVar("J")
R = TypeVar("R")

LOCAL_CLUSTER = "local"
"""The ``dask`` value that starts a Dask cluster on this machine for the run."""


def run_chunks(
    work: Callable[[J], R], jobs: Sequence[J], workers: int, dask: str | None = None
) -> list[R]:
    """Returns ``work(job)`` for every job, in job order.

    Args:
        work: a module-level (picklable) function.
        jobs: the chunks.
        workers: local processes (1: in this process); with Dask, workers of a local cluster.
        dask: a Dask scheduler address, or ``"local"`` for a cluster on this machine; None: local
            processes.

    Returns:
        One result per job.

    Raises:
        FlexsupplyError: Dask is asked for and its distributed scheduler is not installed.
    """
    if dask is not None:
        return _on_dask(work, jobs, workers, dask)
    if workers == 1:
        return [work(job) for job in jobs]
    # spawn, not fork: solver libraries keep threads that a forked child must not inherit.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(work, jobs))


def _on_dask(work: Callable[[J], R], jobs: Sequence[J], workers: int, address: str) -> list[R]:
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise FlexsupplyError(
            "--dask needs Dask's distributed scheduler: pip install 'flexsupply[dask]'"
        ) from None
    cluster = None
    if address == LOCAL_CLUSTER:
        count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        cluster = distributed.LocalCluster(
            n_workers=count, threads_per_worker=1, dashboard_address=":0"
        )
    client = distributed.Client(cluster if cluster is not None else address)
    try:
        futures = client.map(work, list(jobs), pure=False)
        results: list[R] = client.gather(futures)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = ["LOCAL_CLUSTER", "run_chunks"]
