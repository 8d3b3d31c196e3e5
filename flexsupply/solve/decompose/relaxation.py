"""The LP relaxation of the whole program: its bound and the duals of the linking rows.

The duals are the first multipliers: at them the Lagrangian bound is at most the LP bound, and
the per-style MILPs usually move it well below (Geoffrion 1974). The LP stops on a work limit,
``lp_iterations`` simplex iterations, so its multipliers (hence the plan) do not depend on how
busy the machine is; the clock (``LP_SHARE`` of the time limit) is only a safety net. Any
multipliers give a valid Lagrangian bound, so when the LP does not finish, the bundle starts
from the duals HiGHS holds when stopped if they are dual feasible (else from zero).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.heuristics.highs import HighsCopy, load_highspy
from flexsupply.model.program import LinearProgram

LP_SHARE = 0.5
"""Safety net: the LP relaxation may use at most this share of the method's time limit (the
bound side starts only with ``MIN_BOUND_SHARE`` of it left)."""
ITERATIONS_PER_ENTRY = 0.5
"""The LP relaxation's work limit: this many dual simplex iterations per row and column.
Measured (HiGHS 1.16, the scaled partitioned program): spring-drop:15 needs 11,047 for
66,950 rows + 37,808 columns (0.11 per row and column), 30x5x12x1 1,109 for 6,634 (0.17),
100x5x26x1 8,994 for 53,272 (0.17); the limit leaves 3-5x room."""


def lp_iterations(program: LinearProgram) -> int:
    """Returns the LP relaxation's simplex iteration limit for ``program`` (a count)."""
    return math.ceil(ITERATIONS_PER_ENTRY * (program.n_rows + program.n_columns))


def lp_seconds(time_limit: float | None, left: float | None) -> float | None:
    """Returns the LP relaxation's time limit: ``LP_SHARE`` of ``time_limit``, at most ``left``.

    Returns:
        Seconds, or None (no limit) when the method has none.
    """
    if time_limit is None or left is None:
        return left
    return min(left, LP_SHARE * time_limit)


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation's answer.

    Attributes:
        bound: its optimum, a bound on the MIP (offset included) [currency]; nan when unsolved.
        duals: row multipliers μ in the sign of ``c − A^T μ`` (≥ 0 on ≤ rows of a maximisation).
        x: its solution.
        seconds: wall time [seconds].
        stopped_by: ``optimal``, ``iteration_limit`` (the work limit: the same on every run),
            ``time_limit`` (the clock: another run may differ) or ``unsolved``.
    """

    bound: float
    duals: FloatArray
    x: FloatArray
    seconds: float
    stopped_by: str = "optimal"


def lp_relaxation(
    program: LinearProgram, time_limit: float | None, iterations: int | None = None
) -> Relaxation:
    """Solves the LP relaxation of ``program`` with HiGHS.

    Args:
        program: the program; its integrality is dropped.
        time_limit: the safety net [seconds] (None: none).
        iterations: simplex iteration limit (None: none), e.g. ``lp_iterations(program)``.

    Returns:
        The ``Relaxation``; a nan bound when HiGHS does not finish in time, with the row duals
        it held then if dual feasible (else zero): valid multipliers, not an LP bound.
    """
    lp = HighsCopy(program, integer=False)
    if iterations is not None:
        lp.set_option("simplex_iteration_limit", iterations)
    return relaxation_of(lp, time_limit)


def relaxation_of(lp: HighsCopy, time_limit: float | None) -> Relaxation:
    """Solves an LP already loaded into HiGHS (``lp``), which keeps its basis for re-solves.

    Returns:
        The ``Relaxation`` of ``lp.program``, as ``lp_relaxation``.
    """
    started = time.perf_counter()
    program = lp.program
    solved = lp.run(time_limit)
    solution = lp.highs.getSolution()
    # HiGHS minimises sign·c with reduced costs sign·c − A^T y; sign·(c − A^T μ) matches for μ = sign·y.
    sign = -1.0 if program.maximize else 1.0
    duals = sign * np.asarray(solution.row_dual, dtype=float)
    if not solved:
        # Dual simplex stopped in its second phase holds dual-feasible duals; others are noise.
        feasible = lp.highs.getInfo().dual_solution_status == 2
        if not feasible or len(duals) != program.n_rows or not np.isfinite(duals).all():
            duals = np.zeros(program.n_rows)
        kinds = load_highspy().HighsModelStatus
        stops = {kinds.kIterationLimit: "iteration_limit", kinds.kTimeLimit: "time_limit"}
        stopped_by = stops.get(lp.highs.getModelStatus(), "unsolved")
        return Relaxation(math.nan, duals, np.zeros(0), time.perf_counter() - started, stopped_by)
    x = np.asarray(solution.col_value, dtype=float)
    return Relaxation(program.value(x), duals, x, time.perf_counter() - started)
