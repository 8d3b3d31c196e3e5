"""The plan side: better plans for the whole season from what the bound side generated.

In turn, each from the best plan so far: the restricted master over the per-style setup
patterns, the union master (every order some pattern used), fix-and-optimise on the whole
program, and the engine on the whole program with whatever time is left (its bound counts too).
A plan is kept only when it is feasible for the whole program and better than the last.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import SolverOptions
from flexsupply.backends.result import Backend
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.fix_optimize import fix_and_optimize
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.master import Patterns, restricted_master, union_master

Clock = Callable[[], float]
MASTER_SHARE = 0.3
"""Share of the time left that each master problem may take; fix-and-optimise gets the rest."""
MIN_ENGINE_SECONDS = 1.0
"""The engine gets the time left at the end only when at least this much is left [seconds]."""


@dataclass
class SearchState:
    """The best plan and bound so far, in maximisation form.

    Attributes:
        x: the best plan feasible for the whole program (None before the first).
        value: its objective [currency].
        bound: the tightest proven bound [currency].
        iterations: multiplier updates so far; ``evaluations`` Lagrangian evaluations.
        subproblem_seconds: solver time of all subproblems [seconds].
        lagrangian: the best Lagrangian bound [currency].
    """

    x: FloatArray | None
    value: float
    bound: float
    iterations: int = 0
    evaluations: int = 0
    subproblem_seconds: float = 0.0
    lagrangian: float = math.inf

    def gap(self) -> float:
        """Returns the relative gap between plan and bound (inf without either)."""
        if self.x is None or not math.isfinite(self.bound):
            return math.inf
        return (self.bound - self.value) / max(abs(self.value), 1e-9)


def left_until(deadline: float, clock: Clock) -> float | None:
    """Returns the seconds left until ``deadline``, None without one."""
    return None if math.isinf(deadline) else max(deadline - clock(), 0.0)


def improve_plan(
    program: LinearProgram,
    backend: Backend,
    options: SolverOptions,
    neighbourhoods: Sequence[IntArray],
    state: SearchState,
    patterns: Patterns,
    deadline: float,
    clock: Clock,
) -> None:
    """Improves ``state``'s plan: masters, fix-and-optimise, then the engine with the time left.

    Every plan kept is feasible for ``program`` (maximisation form) and better than the last.
    """
    if state.x is not None and patterns.count():
        _masters(program, backend, options, state, patterns, deadline, clock)
    left = left_until(deadline, clock)
    if neighbourhoods and state.x is not None and (left is None or left > 0.5):
        end = time.perf_counter() + (60.0 if left is None else left)
        improved = fix_and_optimize(program, state.x, neighbourhoods, end, options.seed)
        _keep(program, improved.x, state)
        if options.log:
            print(f"decompose: fix-and-optimise plan {state.value:,.2f}")
    left = left_until(deadline, clock)
    if state.gap() > options.gap and (left is None or left >= MIN_ENGINE_SECONDS):
        # Time left goes to the engine on the whole program, from the best plan: its bound
        # counts too, and without a time limit this makes the method exact.
        final = replace(options, time_limit=left, progress=None)
        result = backend.solve(program, final, start=state.x)
        if result.status.has_plan:
            _keep(program, result.x, state)
            if math.isfinite(result.bound):
                state.bound = min(state.bound, result.bound)
        if options.log:
            print(
                f"decompose: engine on the whole program ({result.status}) plan {state.value:,.2f}"
            )


def _masters(
    program: LinearProgram,
    backend: Backend,
    options: SolverOptions,
    state: SearchState,
    patterns: Patterns,
    deadline: float,
    clock: Clock,
) -> None:
    """Solves the restricted master, then the union master, each from the best plan."""
    assert state.x is not None
    left = left_until(deadline, clock)
    master, master_start = restricted_master(program, patterns, state.x)
    limit = None if left is None else MASTER_SHARE * left
    # The masters go to the options' engine: under OR-Tools only SCIP takes the start.
    sub_options = SolverOptions(
        engine=options.engine, time_limit=limit, gap=options.gap, seed=options.seed
    )
    result = backend.solve(master, sub_options, start=master_start)
    if result.status.has_plan:
        _keep(program, result.x[: program.n_columns], state)
    if options.log:
        print(
            f"decompose: restricted master ({patterns.count()} patterns, {result.status}, "
            f"{result.objective:,.2f} in {result.seconds:.1f} s) plan {state.value:,.2f}"
        )
    left = left_until(deadline, clock)
    limit = None if left is None else MASTER_SHARE * left
    wider = union_master(program, patterns)
    result = backend.solve(wider, replace(sub_options, time_limit=limit), start=state.x)
    if result.status.has_plan:
        _keep(program, result.x, state)
    if options.log:
        print(
            f"decompose: union master ({result.status}, {result.objective:,.2f} in "
            f"{result.seconds:.1f} s) plan {state.value:,.2f}"
        )


def _keep(program: LinearProgram, x: FloatArray, state: SearchState) -> None:
    """Keeps ``x`` when it is feasible and better than the best plan."""
    x = np.clip(x, program.col_lower, program.col_upper)
    if program.violation(x) <= FEASIBILITY_TOLERANCE and program.value(x) > state.value:
        state.x, state.value = x, program.value(x)
