"""One engine call's warm start, and its first plan on a process of its own.

Before the first round of subproblems the decomposition works on one core: the (l,S)
separation rounds and the LP relaxation that gives the first multipliers. The warm start's first
plan (``heuristics.warm_start``: the LP dive, 7 s at idle on spring-drop, then the mean-demand
plan when the dive finds none; one core too) ran before them, each leaving the other core idle.
``EarlyStart`` runs it on a spawned process from the start, so the two overlap; the
decomposition collects it while the workers run the first round (its ``later_start``), when
this process would only wait. It is the same computation with the same inputs and limits as
``warm_start_of`` here, so the plan does not depend on where it ran.
"""

from __future__ import annotations

import math
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context

from flexsupply.heuristics import WarmStart, warm_start
from flexsupply.heuristics.mean_value import mean_value_start, neighbourhoods
from flexsupply.model import ModelMap
from flexsupply.model.program import LinearProgram
from flexsupply.scenario import Scenario
from flexsupply.solve.decompose.executors import ROUND_GRACE, stop_processes

EARLY = False
"""Whether ``decompose`` finds its first plan on a process of its own (``EarlyStart``). Off: on
the shared machine (load 12-16, the kernel's autogroup giving one run's processes one share)
the early dive competed with the run's own LP relaxation and round and was cut by its limit,
so the first plan was the mean-demand plan, 380,901 against the dive's 430,710 when it runs
first (``benchmarks/results/decompose-sd15.md``); the gain at idle (the dive's ~7 s beside the
LP relaxation) was not measured."""
STOP_SECONDS = 2.0
"""How long the first plan's process may take to end once its answer is in, before it is killed."""


@dataclass(frozen=True)
class StartJob:
    """What one engine call's warm start needs (picklable).

    Attributes:
        scenario: the season, for the mean-demand plan.
        program: the whole program.
        model: its ``ModelMap`` (demand, parts for fix-and-optimise).
        budget: time until fix-and-optimise stops, from the start [seconds].
        first_budget: time the first plan may take (None: ``budget``) [seconds].
        seed: the run's seed.
        node_limit: nodes of each fix-and-optimise sub-MIP (None: none).
        improve: run fix-and-optimise after the first plan.
        dive: dive on the whole program for the first plan (else the mean-demand plan is it).
    """

    scenario: Scenario
    program: LinearProgram
    model: ModelMap
    budget: float
    first_budget: float | None
    seed: int
    node_limit: int | None
    improve: bool
    dive: bool = True


def warm_start_of(job: StartJob) -> WarmStart | None:
    """Returns the heuristics' plan (dive or mean-demand plan, then fix-and-optimise), or None."""
    program, model = job.program, job.model
    mean_demand = partial(
        mean_value_start, job.scenario, model.demand, program, model, seed=job.seed
    )
    return warm_start(
        program,
        neighbourhoods(model, program.n_columns) if job.improve else (),
        job.budget,
        job.seed,
        first_plan_budget=job.first_budget,
        other_first_plans=[mean_demand],
        node_limit=job.node_limit,
        dive_first=job.dive,
    )


def _ignore_ctrl_c() -> None:
    """Leaves Ctrl-C to the main process (``backends.interrupt``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class EarlyStart:
    """``warm_start_of(job)`` running on its own process from now.

    Args:
        job: the warm start to find (its budgets count from now).
    """

    def __init__(self, job: StartJob) -> None:
        self._seconds = max(job.budget, job.first_budget or 0.0)
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            1, mp_context=get_context("spawn"), initializer=_ignore_ctrl_c
        )
        self._future = self._pool.submit(warm_start_of, job)
        self._began = time.perf_counter()

    def result(self) -> WarmStart | None:
        """Returns the warm start (waiting for it), or None when it found none or failed.

        A process that died or overran its budget by ``ROUND_GRACE`` counts as no plan.
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
        """Stops the process."""
        pool, self._pool = self._pool, None
        if pool is not None:
            stop_processes(pool, STOP_SECONDS, STOP_SECONDS + 1.0)
