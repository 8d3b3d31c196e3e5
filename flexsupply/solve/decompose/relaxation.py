"""The LP relaxation of the whole program: its bound and the duals of the linking rows.

The duals are the first multipliers: at them the Lagrangian bound is at most the LP bound, and
the per-style MILPs usually move it well below (Geoffrion 1974). On a big season the LP gets
only ``LP_SHARE`` of the time: any multipliers give a valid Lagrangian bound, so when it does
not finish, the bundle starts from the duals HiGHS holds when stopped (or from zero).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram

LP_SHARE = 0.2
"""The LP relaxation may use at most this share of the method's time limit; the bound side
needs the rest (its rounds start only before ``bound_share`` of the time is spent)."""


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
    """

    bound: float
    duals: FloatArray
    x: FloatArray
    seconds: float


def lp_relaxation(program: LinearProgram, time_limit: float | None) -> Relaxation:
    """Solves the LP relaxation of ``program`` with HiGHS.

    Returns:
        The ``Relaxation``; a nan bound when HiGHS does not finish in time, with the row duals
        it held then if dual feasible (else zero): valid multipliers, not an LP bound.
    """
    return relaxation_of(HighsCopy(program, integer=False), time_limit)


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
        return Relaxation(math.nan, duals, np.zeros(0), time.perf_counter() - started)
    x = np.asarray(solution.col_value, dtype=float)
    return Relaxation(program.value(x), duals, x, time.perf_counter() - started)
