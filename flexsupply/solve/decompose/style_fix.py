"""Fix-and-optimise by style: a few styles free, every other style wholly fixed.

Helber & Sahling's fix-and-optimise (``heuristics/fix_optimize.py``) fixes only the integer
columns outside the part it frees, so each sub-MIP still carries every continuous flow of the
season (on spring-drop, 67,000 rows). Here every column of a style outside the part is fixed,
its quantities and stock included, at a given point; the shared columns (supplier selection,
cash) stay free. HiGHS's presolve then drops the fixed styles' rows, and a sub-MIP is the size
of the freed styles plus the linking rows with what the fixed styles leave of them. Two uses:

- **repair** a Lagrangian solution (each style's best plan at the multipliers, breaking a few
  linking rows, usually factory capacity): the styles in the broken rows are freed and every
  other style keeps its plan;
- **improve** a feasible plan: groups of styles are freed in turn (a seeded order, each group
  about ``FREE_INTEGERS`` integer columns), each sub-MIP started from the plan, so the plan
  never gets worse.

Every sub-MIP stops on a node limit; the deadline is only a safety net.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.fix_optimize import FREE_INTEGERS
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import SHARED, LinearProgram

ABSORB = 2.0
"""A broken row's styles are freed, heaviest first, until they carry this many times its
excess: they can then cut back by half and the row holds."""
ROW_TOLERANCE = 1e-6
"""HiGHS's primal feasibility tolerance in the sub-MIPs: the fixed styles' values come from
other solves, which hold their rows to about this; still below ``FEASIBILITY_TOLERANCE``."""


class StyleFix:
    """The whole program in HiGHS as a MIP, ready to free any set of styles.

    Attributes:
        program: the whole program.
        style: the style of every column (``SHARED`` for shared columns).
        n_styles: one more than the highest style.
    """

    def __init__(self, program: LinearProgram, gap: float = 1e-4) -> None:
        self.program = program
        self.style = program.styles()
        self.n_styles = int(self.style.max(initial=-1)) + 1
        self._styled = np.flatnonzero(self.style != SHARED)
        flows = np.flatnonzero((self.style == SHARED) & ~program.integer)
        matrix = program.matrix.tocsc()
        # Rows a shared flow (cash) can settle: the sub-MIP frees shared columns.
        self._settled = np.zeros(program.n_rows, dtype=bool)
        self._settled[np.unique(matrix[:, flows].indices)] = True
        self._mip = HighsCopy(program, integer=True)
        self._mip.set_option("mip_rel_gap", gap)
        self._mip.set_option("primal_feasibility_tolerance", ROW_TOLERANCE)

    def solve(
        self,
        free: BoolArray,
        point: FloatArray,
        nodes: int | None,
        deadline: float,
        start: FloatArray | None = None,
        restart: bool = True,
    ) -> FloatArray | None:
        """Returns the best plan with the styles ``free`` free and the others fixed at ``point``.

        Args:
            free: per style, whether its columns are free.
            point: values of every column; integers are rounded, all are clipped to bounds.
            nodes: branch-and-bound node limit of the sub-MIP (None: no limit).
            deadline: a ``time.perf_counter()`` safety net.
            start: a plan feasible for the sub-MIP to start from, or None.
            restart: allow HiGHS to restart its root after presolving again.

        Returns:
            A plan feasible for the whole program, or None when the sub-MIP found none.
        """
        program = self.program
        fixed, values = self.fixed(free, point)
        self._mip.reset_bounds(np.flatnonzero(~np.isin(np.arange(program.n_columns), fixed)))
        self._mip.set_bounds(fixed, values, values)
        self._mip.set_option("mip_max_nodes", nodes if nodes is not None else 2**31 - 1)
        self._mip.set_option("mip_allow_restart", restart)
        left = deadline - time.perf_counter()
        if left <= 0 or not self._mip.run(None if math.isinf(left) else left, start=start):
            return None
        x = np.clip(self._mip.values(), program.col_lower, program.col_upper)
        return x if program.violation(x) <= FEASIBILITY_TOLERANCE else None

    def fixed(self, free: BoolArray, point: FloatArray) -> tuple[IntArray, FloatArray]:
        """Returns the columns of the styles not ``free`` and their values at ``point``.

        Integers are rounded and every value is clipped to its column's bounds.
        """
        program = self.program
        fixed = self._styled[~free[self.style[self._styled]]]
        values = np.where(program.integer[fixed], np.round(point[fixed]), point[fixed])
        return fixed, np.clip(values, program.col_lower[fixed], program.col_upper[fixed])

    def restricted(self, free: BoolArray, point: FloatArray) -> LinearProgram:
        """Returns the program with the styles not ``free`` fixed at ``point`` (``fixed``)."""
        fixed, values = self.fixed(free, point)
        lower, upper = self.program.col_lower.copy(), self.program.col_upper.copy()
        lower[fixed] = upper[fixed] = values
        return replace(self.program, col_lower=lower, col_upper=upper)

    def to_free(self, point: FloatArray) -> BoolArray:
        """Returns, per style, whether to free it to repair the rows ``point`` breaks.

        Rows with a shared continuous column (cash) are left to that column. In each other
        broken row the styles that push it out of its bounds hardest are freed, until they
        carry ``ABSORB`` times the excess: the rest keep their plans.
        """
        program = self.program
        rows = self.repair_rows(point)
        free = np.zeros(self.n_styles, dtype=bool)
        matrix = program.matrix[rows].tocsr()
        activity = matrix @ point
        for k, row in enumerate(rows):
            columns = matrix.indices[matrix.indptr[k] : matrix.indptr[k + 1]]
            terms = matrix.data[matrix.indptr[k] : matrix.indptr[k + 1]] * point[columns]
            styled = self.style[columns] != SHARED
            load = np.bincount(self.style[columns[styled]], terms[styled], minlength=self.n_styles)
            excess = activity[k] - program.row_upper[row]
            if excess <= 0:
                excess, load = program.row_lower[row] - activity[k], -load
            order = np.argsort(-load, kind="stable")
            carried = np.cumsum(np.maximum(load[order], 0.0))
            count = int(np.searchsorted(carried, ABSORB * excess)) + 1
            free[order[: min(count, int((load > 0).sum()))]] = True
        return free

    def repair_rows(self, point: FloatArray) -> IntArray:
        """Returns the rows ``point`` breaks that a shared continuous column cannot settle."""
        rows = broken_rows(self.program, point)
        return rows[~self._settled[rows]]

    def styles_in(self, rows: IntArray) -> BoolArray:
        """Returns, per style, whether it has a column in ``rows``."""
        columns = np.unique(self.program.matrix[rows].indices)
        touched = np.zeros(self.n_styles, dtype=bool)
        styles = self.style[columns]
        touched[styles[styles != SHARED]] = True
        return touched

    def groups(self, seed: int, size: int = FREE_INTEGERS) -> list[BoolArray]:
        """Returns the styles in a seeded order, packed into groups of free integer columns.

        A group holds about ``size`` integer columns; a larger style is a group alone.
        """
        sizes = self.integer_sizes()
        order = np.random.default_rng(seed).permutation(np.flatnonzero(sizes))
        return self.pack(order, size)

    def integer_sizes(self) -> IntArray:
        """Returns each style's count of integer columns (shared columns counted in none)."""
        integer = self.style[self.program.integer & (self.style != SHARED)]
        return np.bincount(integer, minlength=self.n_styles)

    def pack(self, order: Sequence[int] | IntArray, size: int) -> list[BoolArray]:
        """Returns the styles of ``order``, in turn, packed into groups of free integer columns.

        A group holds about ``size`` integer columns; a larger style is a group alone.
        """
        sizes = self.integer_sizes()
        groups: list[BoolArray] = []
        count = size
        for s in order:
            if count + sizes[s] > size:
                groups.append(np.zeros(self.n_styles, dtype=bool))
                count = 0
            groups[-1][s] = True
            count += int(sizes[s])
        return groups


def broken_rows(program: LinearProgram, x: FloatArray) -> IntArray:
    """Returns the rows ``x`` breaks by more than ``FEASIBILITY_TOLERANCE``.

    The excess is relative to the bound's size (at least 1), as ``LinearProgram.violation``
    measures it: the subproblems' own rows hold to their engine's tolerance, so they are not
    counted as broken.
    """
    activity = program.matrix @ x
    low, up = program.row_lower, program.row_upper
    below = (low - activity) / np.maximum(1.0, np.abs(np.where(np.isfinite(low), low, 0.0)))
    above = (activity - up) / np.maximum(1.0, np.abs(np.where(np.isfinite(up), up, 0.0)))
    return np.flatnonzero(np.maximum(below, above) > FEASIBILITY_TOLERANCE)
