"""How to solve, in one object: ``SolveSettings``, which profiles load into and every call takes.

``fs.solve``, ``stochastic_report``, ``simulate``, ``explain_infeasible``, ``plan_or_solve`` and
``run_batch`` all take a ``SolveSettings``; the CLI builds one from ``--solver`` (a backend or a
profile) and the flags. ``check`` refuses settings the backend cannot honour before any work.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from flexsupply.backends import (
    BACKENDS,
    DEFAULT_BACKEND,
    EngineInfo,
    Progress,
    SolverOptions,
    backend_info,
)
from flexsupply.errors import BackendError
from flexsupply.solve.deadline import Deadline

DEFAULT_GAP = 1e-6
"""Relative gap used when none is given: prove optimality."""
MAX_TIME_LIMIT = 1e7
"""Longest time limit a solve may be given (about 116 days) [seconds]."""


class SettingsFlags(TypedDict, total=False):
    """The settings a caller may override one by one (``fs.solve(..., time_limit=30)``)."""

    engine: str | None
    time_limit: float | None
    gap: float | None
    threads: int | None
    seed: int | None
    log: bool | None
    warm_start: bool | None
    method: str | None
    node_limit: int | None
    iterations: int | None
    dask: str | None
    workers: int | None


@dataclass(frozen=True)
class SolveSettings:
    """Backend, engine, method and stopping rules of a solve. Picklable: batch workers get it."""

    backend: str = DEFAULT_BACKEND
    """Solver library, a name in ``flexsupply.backends.BACKENDS``."""
    engine: str | None = None
    """Engine inside the backend; None: the backend's default engine."""
    time_limit: float | None = None
    """Wall-clock limit of the whole call [seconds]: sampling, building, warm start, engine,
    stochastic report, explanation, simulation samples. None: no limit."""
    gap: float | None = None
    """Relative optimality gap to stop at, a fraction (0.02 is 2 %); None: prove optimality."""
    threads: int | None = None
    """Threads the engine may use; None: the engine's default."""
    seed: int = 0
    """Random seed of the engine and the heuristics."""
    log: bool = False
    """Show the engine's log and the warm start's summary."""
    warm_start: bool | None = None
    """Hand the engine a heuristic first plan; None: when a time limit is set."""
    method: str = "auto"
    """Solve method, a name in ``flexsupply.solve.methods.METHODS`` (``auto``, ``monolithic``,
    ``decompose``)."""
    dask: str | None = None
    """Dask scheduler address (``local``: a LocalCluster) for the decomposition's subproblems;
    None: local processes."""
    workers: int | None = None
    """Processes or Dask workers for the decomposition's subproblems; None: all cores."""
    node_limit: int | None = None
    """Branch-and-bound nodes the engine, and each warm-start sub-MIP, may explore: a work limit
    that stops the search at the same point however busy the machine is, so the same input gives
    the same plan and ``time_limit`` is only a safety net. None: no node limit (the
    decomposition then uses its own node limits, ``DecomposeSettings``)."""
    iterations: int | None = None
    """Rounds of subproblems the decomposition runs at most (each moves the multipliers once);
    None: the method's default (``DecomposeSettings.max_iterations``)."""

    def with_flags(self, **flags: Any) -> SolveSettings:
        """Returns the settings with every flag that is not None replaced (command-line flags)."""
        known = {field.name for field in dataclasses.fields(self)}
        unknown = sorted(set(flags) - known)
        if unknown:
            raise TypeError(f"unknown solve settings: {', '.join(unknown)}")
        return dataclasses.replace(
            self, **{key: value for key, value in flags.items() if value is not None}
        )

    @property
    def effective_gap(self) -> float:
        """Returns the gap handed to the engine (``DEFAULT_GAP`` when none is set)."""
        return DEFAULT_GAP if self.gap is None else self.gap

    def engine_info(self) -> EngineInfo:
        """Returns the registry entry of the engine these settings name.

        Raises:
            BackendError: the backend or the engine is unknown.
        """
        return backend_info(self.backend).engine(self.engine)

    def check(self) -> EngineInfo:
        """Refuses settings the backend cannot honour, before any work starts.

        Returns:
            The engine's registry entry.

        Raises:
            BackendError: unknown backend or engine, or a setting the engine cannot take; the
                message says why and which engines can.
        """
        engine = self.engine_info()
        limit = self.time_limit
        if limit is not None and not (math.isfinite(limit) and 0 < limit <= MAX_TIME_LIMIT):
            raise BackendError(
                f"the time limit must be a number of seconds above 0 and at most "
                f"{MAX_TIME_LIMIT:,.0f}, got {limit!r}; leave it out for no limit"
            )
        if self.gap is not None and not (math.isfinite(self.gap) and 0 <= self.gap < 1):
            raise BackendError(
                f"the gap must be a fraction from 0 up to 1 (0.02 is 2 %), got {self.gap!r}"
            )
        if self.threads is not None and not engine.threads:
            raise BackendError(
                f"{engine.label} cannot be given a thread count; drop --threads or choose an "
                f"engine that takes one: {_able(lambda e: e.threads)}"
            )
        if self.time_limit is not None and not engine.time_limit:
            raise BackendError(
                f"{engine.label} cannot stop at a time limit; drop --time-limit or choose one of "
                f"{_able(lambda e: e.time_limit)}"
            )
        return engine

    def options(
        self, deadline: Deadline, progress: Callable[[Progress], None] | None = None
    ) -> SolverOptions:
        """Returns the backend options of one engine call that may use the time left.

        The engine's limit is the time left less the seconds it takes to stop
        (``EngineInfo.stop_seconds``), but never less than half the time left.

        Raises:
            TimeLimitReached: no time is left on ``deadline``.
        """
        engine = self.engine_info()
        left = deadline.check("the engine")
        limit = None if left is None else max(left - engine.stop_seconds, left / 2)
        return SolverOptions(
            engine=engine.name,
            time_limit=limit,
            gap=self.effective_gap,
            threads=self.threads,
            seed=self.seed,
            log=self.log,
            progress=progress,
            node_limit=self.node_limit,
        )

    def summary(self) -> str:
        """Returns the settings in one line, e.g. ``ortools/highs, 30 s, gap 2 %``."""
        parts = [f"{self.backend}/{self.engine or 'default'}"]
        parts.append(f"{self.time_limit:g} s" if self.time_limit is not None else "no time limit")
        if self.gap is not None:
            parts.append(f"gap {self.gap * 100:g} %")
        if self.node_limit is not None:
            parts.append(f"{self.node_limit:,} nodes")
        if self.iterations is not None:
            parts.append(f"{self.iterations} rounds")
        if self.threads is not None:
            parts.append(f"{self.threads} threads")
        if self.seed:
            parts.append(f"seed {self.seed}")
        if self.method != "auto":
            parts.append(f"method {self.method}")
        return ", ".join(parts)


def _able(can: Callable[[EngineInfo], bool]) -> str:
    """Returns the ``backend/engine`` pairs whose engine ``can`` accepts, in words."""
    return ", ".join(
        f"{name}/{engine.name}"
        for name, info in BACKENDS.items()
        for engine in info.engines
        if can(engine)
    )
