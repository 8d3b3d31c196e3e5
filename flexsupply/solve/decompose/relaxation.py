"""The LP relaxation of the whole program: its bound and the duals of the linking rows.

The duals are the first multipliers: at them the Lagrangian bound is at most the LP bound, and
the per-style MILPs usually move it well below (Geoffrion 1974).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram


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
        The ``Relaxation``; zero duals and a nan bound when HiGHS does not finish in time.
    """
    started = time.perf_counter()
    lp = HighsCopy(program, integer=False)
    if not lp.run(time_limit):
        return Relaxation(
            math.nan, np.zeros(program.n_rows), np.zeros(0), time.perf_counter() - started
        )
    solution = lp.highs.getSolution()
    # HiGHS minimises sign·c with reduced costs sign·c − A^T y; sign·(c − A^T μ) matches for μ = sign·y.
    sign = -1.0 if program.maximize else 1.0
    duals = sign * np.asarray(solution.row_dual, dtype=float)
    x = np.asarray(solution.col_value, dtype=float)
    return Relaxation(program.value(x), duals, x, time.perf_counter() - started)
