"""An in-memory HiGHS copy of a LinearProgram whose bounds change between re-solves.

The heuristics re-solve the same relaxation hundreds of times with a few bounds changed; HiGHS
keeps its basis between ``run`` calls, so each re-solve takes a few dual simplex iterations.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import interrupt
from flexsupply.backends.highs_builds import load_ortools_highs_first
from flexsupply.errors import BackendError
from flexsupply.fds import c_stdout_hidden
from flexsupply.model.program import LinearProgram


def load_highspy() -> Any:
    """Returns the ``highspy`` module, loaded after OR-Tools' own HiGHS (see ``highs_builds``).

    Raises:
        BackendError: highspy is not installed.
    """
    load_ortools_highs_first()
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a core dependency
        raise BackendError("the warm start needs HiGHS: pip install highspy") from None
    return highspy


def new_highs() -> Any:
    """Returns a silent ``highspy.Highs`` (no banner, no log)."""
    highspy = load_highspy()
    with c_stdout_hidden():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


_second_ctrl_c = threading.Event()


def _stop_at_ctrl_c(event: Any) -> None:
    """HiGHS's periodic interrupt check: stops the solve once Ctrl-C came (``interrupt``)."""
    try:
        if interrupt.requested():
            event.interrupt()
    except KeyboardInterrupt:
        # The second Ctrl-C raises here; HiGHS would swallow it as a solve error.
        _second_ctrl_c.set()
        event.interrupt()


class HighsCopy:
    """The program loaded into HiGHS, as an LP (integrality dropped) or as a MIP."""

    def __init__(self, program: LinearProgram, integer: bool = False, highs: Any = None) -> None:
        """Loads ``program`` into ``highs`` (or a new solver).

        A ``new_highs()`` passed as ``highs`` has its model replaced: many small programs can
        share one solver.
        """
        highspy = load_highspy()
        self.highs = new_highs() if highs is None else highs
        checks = (
            self.highs.cbSimplexInterrupt,
            self.highs.cbIpmInterrupt,
            self.highs.cbMipInterrupt,
        )
        for check in checks:
            if _stop_at_ctrl_c not in check.callbacks:
                check.subscribe(_stop_at_ctrl_c)
        self.program = program
        self.integer = integer
        self._highspy = highspy
        self._sign = -1.0 if program.maximize else 1.0
        self.highs.setOptionValue("random_seed", 0)
        lp = highspy.HighsLp()
        matrix = program.matrix.tocsc()
        lp.num_col_ = program.n_columns
        lp.num_row_ = program.n_rows
        lp.col_cost_ = self._sign * program.objective
        lp.col_lower_ = program.col_lower
        lp.col_upper_ = program.col_upper
        lp.row_lower_ = program.row_lower
        lp.row_upper_ = program.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        if integer:
            kinds = highspy.HighsVarType
            lp.integrality_ = [
                kinds.kInteger if flag else kinds.kContinuous for flag in program.integer
            ]
        self.highs.passModel(lp)

    def set_bounds(self, columns: IntArray, lower: FloatArray, upper: FloatArray) -> None:
        """Sets the bounds of ``columns`` (the program's own bounds are the way back)."""
        if len(columns):
            self.highs.changeColsBounds(
                len(columns), columns.astype(np.int32), lower.astype(float), upper.astype(float)
            )

    def reset_bounds(self, columns: IntArray) -> None:
        """Gives ``columns`` back the program's bounds."""
        self.set_bounds(columns, self.program.col_lower[columns], self.program.col_upper[columns])

    def run(self, time_limit: float | None = None, start: FloatArray | None = None) -> bool:
        """Solves for at most ``time_limit`` seconds, from ``start`` when given (a MIP start).

        Returns True when a solution is at hand: an optimal LP, or any feasible MIP plan. Ctrl-C
        (``backends.interrupt``) stops the solve like its time limit.

        Raises:
            KeyboardInterrupt: a second Ctrl-C came during the solve.
        """
        # HiGHS's simplex measures the limit on a clock that runs on across calls; its MIP
        # solver restarts the clock on each call.
        limit = math.inf if time_limit is None else time_limit
        if not self.integer:
            limit += self.highs.getRunTime()
        self.highs.setOptionValue("time_limit", limit)
        if start is not None:
            solution = self._highspy.HighsSolution()
            solution.col_value = start.tolist()
            solution.value_valid = True
            self.highs.setSolution(solution)
        self.highs.run()
        if _second_ctrl_c.is_set():
            _second_ctrl_c.clear()
            raise KeyboardInterrupt
        status = self.highs.getModelStatus()
        if status == self._highspy.HighsModelStatus.kOptimal:
            return True
        return bool(self.highs.getInfo().primal_solution_status == 2)

    def values(self) -> FloatArray:
        """Returns the column values of the last solve."""
        return np.asarray(self.highs.getSolution().col_value, dtype=float)

    def reduced_costs(self) -> FloatArray:
        """Returns the reduced costs of the last LP solve [objective units per unit].

        Positive means raising the column would worsen the objective (HiGHS minimises the
        program's objective, negated for a maximisation).
        """
        return np.asarray(self.highs.getSolution().col_dual, dtype=float)

    def set_option(self, name: str, value: float | bool | int) -> None:
        """Sets one HiGHS option."""
        self.highs.setOptionValue(name, value)
