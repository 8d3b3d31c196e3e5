"""A first plan by diving on the LP relaxation: fix switches in batches, re-solve, repeat.

Each round fixes the on/off switches the relaxation already treats as decided (near 0 or 1).
When none are, it closes the ``k`` least-used switches (their orders move to other periods or
factories), or failing that opens the ``k`` most-used ones, halving ``k`` while a batch leaves the
relaxation infeasible. Closing first consolidates small fractional orders into fewer, larger
ones, which is what MOQs and setup times reward. With every switch fixed, integer order
quantities (``options.integer_orders``) are settled by a MIP over them alone.
"""

from __future__ import annotations

import time

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram

DECIDED = 0.1
"""A switch whose relaxed value is within this of 0 or 1 is fixed there in one batch."""
FIRST_BATCH_SHARE = 0.25
"""Share of the open fractional switches fixed at once when none is near 0 or 1."""
INTEGRALITY_TOLERANCE = 1e-6
"""Distance from an integer below which a value counts as integral."""


def binary_columns(program: LinearProgram) -> IntArray:
    """Returns the integer columns with bounds inside [0, 1] (switches and selections)."""
    binary = program.integer & (program.col_lower >= 0.0) & (program.col_upper <= 1.0)
    return np.flatnonzero(binary)


def _batches(
    values: FloatArray, fractional: BoolArray, share: float
) -> list[list[tuple[IntArray, float]]]:
    """Returns the batches to try in order, each a list of (positions, value to fix).

    First every decided switch at once; then ever smaller batches of the least-used switches
    closed, or failing that of the most-used ones opened.
    """
    batches: list[list[tuple[IntArray, float]]] = []
    low = np.flatnonzero(fractional & (values < DECIDED))
    high = np.flatnonzero(fractional & (values > 1.0 - DECIDED))
    if len(low) or len(high):
        batches.append([(low, 0.0), (high, 1.0)])
    open_ = np.flatnonzero(fractional)
    ascending = open_[np.argsort(values[open_], kind="stable")]
    size = max(1, int(len(open_) * share))
    while True:
        batches.append([(ascending[:size], 0.0)])
        batches.append([(ascending[::-1][:size], 1.0)])
        if size == 1:
            return batches
        size = max(1, size // 2)


def dive(program: LinearProgram, deadline: float) -> FloatArray | None:
    """Returns a feasible solution of ``program`` found by LP diving, or None.

    None means the relaxation is infeasible, a dead end was reached, or ``deadline``
    (a ``time.perf_counter()`` value) passed first.
    """
    relaxed = HighsCopy(program)
    if not relaxed.run(max(deadline - time.perf_counter(), 0.0)):
        return None
    x = relaxed.values()
    binary = binary_columns(program)
    free = np.ones(len(binary), dtype=bool)
    while True:
        if time.perf_counter() > deadline:
            return None
        values = x[binary]
        fractional = free & (np.abs(values - np.round(values)) > INTEGRALITY_TOLERANCE)
        if not fractional.any():
            break
        for batch in _batches(values, fractional, FIRST_BATCH_SHARE):
            for positions, value in batch:
                columns = binary[positions]
                relaxed.set_bounds(
                    columns, np.full(len(columns), value), np.full(len(columns), value)
                )
            if relaxed.run(max(deadline - time.perf_counter(), 0.0)):
                for positions, _ in batch:
                    free[positions] = False
                break
            for positions, _ in batch:
                relaxed.reset_bounds(binary[positions])
        else:
            return None
        x = relaxed.values()
    settled = np.round(x[binary])
    relaxed.set_bounds(binary, settled, settled)
    general = np.setdiff1d(np.flatnonzero(program.integer), binary)
    if len(general):
        return _settle_general(program, binary, settled, deadline)
    if not relaxed.run(max(deadline - time.perf_counter(), 0.0)):
        return None
    return relaxed.values()


def _settle_general(
    program: LinearProgram, binary: IntArray, settled: FloatArray, deadline: float
) -> FloatArray | None:
    """Returns a solution with the binaries at ``settled`` and the other integers chosen by MIP."""
    mip = HighsCopy(program, integer=True)
    mip.set_bounds(binary, settled, settled)
    if not mip.run(max(deadline - time.perf_counter(), 0.0)):
        return None
    return mip.values()


def first_incumbent(program: LinearProgram, deadline: float) -> FloatArray | None:
    """Returns the first plan HiGHS's MIP search finds before ``deadline``, or None."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return None
    mip = HighsCopy(program, integer=True)
    mip.set_option("mip_max_improving_sols", 1)
    if not mip.run(left):
        return None
    return mip.values()
