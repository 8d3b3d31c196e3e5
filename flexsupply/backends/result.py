"""What every backend takes and gives back: options, status, result, and the Backend protocol."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from flexsupply.arrays import FloatArray
from flexsupply.model.program import LinearProgram


class Status(StrEnum):
    """How a solve ended. Infeasibility is a status, not an exception."""

    OPTIMAL = "optimal"
    """Proven optimal within the gap asked for."""
    FEASIBLE = "feasible"
    """A plan was found but stopped (time limit) before proving the gap asked for."""
    INFEASIBLE = "infeasible"
    """Proven: no plan meets every constraint."""
    UNBOUNDED = "unbounded"
    """The objective can grow without limit (a data error)."""
    NO_SOLUTION = "no_solution"
    """The time limit ended the solve before any plan was found."""
    UNKNOWN = "unknown"
    """The solver stopped without saying why (some CBC builds say this for infeasible models)."""

    @property
    def has_plan(self) -> bool:
        """True when the result carries a usable solution."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class Progress:
    """A solve's state while it runs, in the plan's sense (objective offset included)."""

    seconds: float
    """Time since the solve started [seconds]."""
    incumbent: float | None = None
    """Objective of the best plan found so far; None before the first [currency]."""
    bound: float | None = None
    """Best proven bound on the objective; None while unknown [currency]."""


HIGHS_LEAN_HEURISTICS: tuple[dict[str, float], dict[str, bool]] = (
    {"mip_heuristic_effort": 0.0},
    {
        "mip_heuristic_run_feasibility_jump": False,
        "mip_heuristic_run_rins": False,
        "mip_heuristic_run_rens": False,
        "mip_heuristic_run_root_reduced_cost": True,
        "mip_heuristic_run_zi_round": False,
        "mip_heuristic_run_shifting": False,
    },
)
"""HiGHS options (double, bool) of ``SolverOptions.heuristics=False``: only the root
reduced-cost heuristic. On a spring-drop style subproblem (20 nodes, load 14) the root took 20 s
instead of 44-52 s with the default heuristics, for an as good plan (29,437 against 29,432) and
bound; with none at all 7-13 s, but a plan 9 % worse, which the repair of the per-style plans
then inherits."""


@dataclass(frozen=True)
class SolverOptions:
    """Solver settings shared by all backends."""

    engine: str | None = None
    """Engine inside the backend (``scip``/``highs`` for ortools, ``cbc``/``highs`` for pulp)."""
    time_limit: float | None = None
    """Wall-clock limit [seconds]; the best plan found by then is returned with its gap."""
    gap: float = 1e-6
    """Relative optimality gap at which to stop, e.g. 0.01 for 1 %."""
    threads: int | None = None
    """Threads the engine may use (None: the engine's default)."""
    seed: int = 0
    """Random seed of the engine, for repeatable runs."""
    node_limit: int | None = None
    """Branch-and-bound nodes the engine may explore: a work limit that, unlike the wall clock,
    stops a search at the same point on a busy machine (None: no limit)."""
    heuristics: bool = True
    """Run the engine's primal heuristics in full. False keeps only the cheap ones (HiGHS:
    ``HIGHS_LEAN_HEURISTICS``; other engines: heuristics off), for solves that need mainly a
    proven bound (the decomposition's subproblems)."""
    log: bool = False
    """Show the engine's log on the console."""
    progress: Callable[[Progress], None] | None = field(default=None, compare=False)
    """Called with the incumbent and bound while the engine runs, where it reports them live."""


@dataclass(frozen=True)
class SolverResult:
    """What a backend returns."""

    status: Status
    objective: float
    """Objective value including the program's offset (nan without a plan) [currency]."""
    bound: float
    """Best proven bound on the objective (nan when unknown) [currency]."""
    x: npt.NDArray[np.float64]
    """Column values (empty without a plan)."""
    seconds: float
    """Wall-clock time of the solve [seconds]."""
    backend: str
    engine: str
    log: str = ""
    message: str = ""
    """The engine's own words on how it stopped."""
    extra: dict[str, float] = field(default_factory=dict)
    stop: str = "gap"
    """What ended the search: ``gap`` (the gap asked for was proven), ``node_limit`` or
    ``time_limit``. Only ``time_limit`` depends on the machine's speed and load."""
    method: str = "monolithic"
    """The solve method that made it: ``monolithic`` or ``decompose``."""

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 when proven optimal; nan if unknown)."""
        if self.status == Status.OPTIMAL and (
            math.isnan(self.bound) or self.bound == self.objective
        ):
            return 0.0
        if math.isnan(self.objective) or math.isnan(self.bound):
            return math.nan
        return abs(self.bound - self.objective) / max(abs(self.objective), 1e-9)


class Backend(Protocol):
    """A solver library wrapped to solve a LinearProgram."""

    name: str
    """The backend's name in ``flexsupply.backends.BACKENDS``, where its capabilities are."""

    def solve(
        self, program: LinearProgram, options: SolverOptions, start: FloatArray | None = None
    ) -> SolverResult:
        """Returns the result of solving ``program`` with ``options``.

        ``start`` is a feasible solution handed to the engine as its first incumbent (a hint),
        where the engine takes one.
        """
        ...


def no_plan(
    status: Status, seconds: float, backend: str, engine: str, message: str = "", log: str = ""
) -> SolverResult:
    """Returns a result without a solution."""
    return SolverResult(
        status, math.nan, math.nan, np.zeros(0), seconds, backend, engine, log, message
    )
