"""RINS from the LP relaxation: fix what the LP and the best plan agree on, solve the rest.

Relaxation-induced neighbourhood search (Danna, Rothberg and Le Pape 2005): every integer
column whose LP value lies within ``TOLERANCE`` of its value in the best plan is fixed there,
and the MIP over the rest (the orders the LP and the plan disagree on, every continuous column
free) is solved from the best plan, stopped at ``PlanLimits.rins_nodes`` nodes. A better plan
changes the neighbourhood (the fixed columns are those of the new plan), so up to
``PlanLimits.rins_rounds`` rounds run; when the LP's neighbourhood has nothing better, the last
Lagrangian solution (every style's best plan at the multipliers, integral) guides the next one,
and the rounds end when every guide in a row found nothing.

On 100x5x26x1 the LP and a plan of 8,444,172 disagree on 489 of 6,396 integer columns; the
neighbourhood's root alone (one node) gave 8,750,837 (+3.6 %) in 27 s niced at load 12, where
a sweep of fix-and-optimise by style gains about as much in 60-90 s. Unlike fix-and-optimise by
style, the neighbourhood spans every style, so styles sharing a factory's week trade its room
in one MIP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import interrupt
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.style_fix import ROW_TOLERANCE

TOLERANCE = 0.1
"""An integer column is fixed when its LP value is within this of the plan's value."""
SHARE = 0.5
"""Safety net: the RINS rounds may use at most this share of the time left, so the sweeps by
style after them always get the rest (on 100x5x26x1 at load 14, niced, one root from the
dive's plan ran 75 s, to the deadline, and found nothing)."""


def rins_deadline(left: float | None) -> float:
    """Returns the RINS rounds' ``time.perf_counter()`` deadline: ``SHARE`` of ``left``.

    Returns:
        The deadline [seconds on ``time.perf_counter``]; inf when ``left`` is None (no limit).
    """
    return math.inf if left is None else time.perf_counter() + SHARE * left


def agreeing(program: LinearProgram, relaxed: FloatArray, x: FloatArray) -> IntArray:
    """Returns the integer columns whose LP value ``relaxed`` is within ``TOLERANCE`` of ``x``.

    Returns:
        Column indices, ascending.
    """
    integer = np.flatnonzero(program.integer)
    close = np.abs(relaxed[integer] - x[integer]) <= TOLERANCE
    return integer[close]


class Rins:
    """The whole program loaded in HiGHS as a MIP, searched around the best plan.

    Args:
        program: the whole program (in maximisation form for the plan side).
        guides: the points whose agreement with the plan fixes columns, tried in turn (the LP
            relaxation's solution first, then e.g. the last Lagrangian solution).
        gap: relative gap each neighbourhood MIP is solved to.
    """

    def __init__(
        self, program: LinearProgram, guides: Sequence[FloatArray], gap: float = 1e-4
    ) -> None:
        self.program = program
        self.guides = list(guides)
        self._mip = HighsCopy(program, integer=True)
        self._mip.set_option("mip_rel_gap", gap)
        self._mip.set_option("primal_feasibility_tolerance", ROW_TOLERANCE)
        self._integer = np.flatnonzero(program.integer)

    def solve(
        self, x: FloatArray, nodes: int | None, deadline: float, guide: int = 0
    ) -> FloatArray | None:
        """Returns the best plan of the neighbourhood of ``x`` (``agreeing`` columns fixed).

        Args:
            x: a plan feasible for the whole program, the MIP's start.
            nodes: branch-and-bound nodes (None: no limit).
            deadline: a ``time.perf_counter()`` safety net.
            guide: which of ``guides`` the plan is compared with.

        Returns:
            A plan feasible for the whole program, or None when the MIP found none in time.
        """
        program = self.program
        fixed = agreeing(program, self.guides[guide], x)
        values = np.clip(np.round(x[fixed]), program.col_lower[fixed], program.col_upper[fixed])
        self._mip.reset_bounds(self._integer)
        self._mip.set_bounds(fixed, values, values)
        self._mip.set_option("mip_max_nodes", nodes if nodes is not None else 2**31 - 1)
        left = deadline - time.perf_counter()
        if left <= 0 or not self._mip.run(None if math.isinf(left) else left, start=x):
            return None
        found = np.clip(self._mip.values(), program.col_lower, program.col_upper)
        return found if program.violation(found) <= FEASIBILITY_TOLERANCE else None

    def free_count(self, x: FloatArray, guide: int = 0) -> int:
        """Returns how many integer columns the neighbourhood of ``x`` by ``guide`` leaves free."""
        return len(self._integer) - len(agreeing(self.program, self.guides[guide], x))


def rins_rounds(
    search: Rins,
    best: Callable[[], FloatArray | None],
    keep: Callable[[FloatArray], bool],
    rounds: int,
    nodes: int | None,
    deadline: float,
    stop: Callable[[], bool],
) -> int:
    """Runs up to ``rounds`` neighbourhood MIPs, each around ``best()``.

    Each MIP takes the guide after the last one's (``Rins.guides``, in a cycle), so a plan the
    LP's neighbourhood cannot improve is searched around the next guide's; the rounds end when
    every guide in a row found nothing better. ``keep`` is handed every plan found and returns
    whether it was better (and kept); ``stop()`` or Ctrl-C ends the rounds before the next MIP.

    Returns:
        How many rounds found a better plan.
    """
    better, failed = 0, 0
    for number in range(rounds):
        x = best()
        if x is None or stop() or interrupt.requested() or failed >= len(search.guides):
            break
        found = search.solve(x, nodes, deadline, number % len(search.guides))
        if found is not None and keep(found):
            better, failed = better + 1, 0
        else:
            failed += 1
    return better
