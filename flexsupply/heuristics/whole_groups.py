"""Whole pieces at scale: orders rounded a group of styles at a time, inside the room left.

``whole_pieces.whole_orders`` re-solves one LP over the whole season per period: on a season of
2,000 styles that LP alone outgrows the machine. Here only the styles whose orders are
fractional are rounded, a group of them at a time (about ``GROUP_COLUMNS`` columns): every
other style's columns and the whole-number columns stay as they are, so each row they share
with the group (factory minutes, warehouse space, a budget, the cash balance) leaves the group

    row_lower − A_other x_other ≤ A_group x_group ≤ row_upper − A_other x_other,

and the group's LP (its stock, sales and shipments plus the season's shared continuous columns,
such as cash) is re-solved with its orders fixed at whole numbers: nearest, then all down, then
all up, then period by period as ``whole_orders`` does. A group for which none fits keeps its
fractional orders. Each step keeps every row of the whole program, so the plan stays feasible
whenever the time limit stops the pass; its objective is the exact value of the plan returned.
Row activities are kept up to date by one sparse product per group, never a pass over the
season, and memory is one column-wise copy of the matrix plus one group's LP.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.heuristics.whole_pieces import (
    INFEASIBLE,
    WHOLE_TOLERANCE,
    WholePlan,
    round_candidates,
    round_period,
    stopped,
    whole_orders,
)
from flexsupply.model.program import SHARED, LinearProgram

GROUP_COLUMNS = 20_000
"""Columns of the styles rounded together in one LP (a group holds at least one style)."""
BOTH_WAYS_COLUMNS = 5_000
"""A group's LP up to this size also rounds its orders a period at a time, and the better
rounding is kept [columns]; above it only when rounding them all at once fits nowhere."""


def whole_orders_by_group(
    program: LinearProgram,
    order_columns: IntArray,
    x: FloatArray,
    deadline: float = float("inf"),
    group_columns: int = GROUP_COLUMNS,
) -> WholePlan:
    """Returns ``x`` with the orders of each style rounded to whole units, group by group.

    Args:
        program: the program ``x`` solves, with style tags (``LinearProgram.column_style``).
        order_columns: the columns holding order quantities [units], shape
            ``(n_options, T, Ω)``, -1 for none.
        x: a feasible solution of ``program``.
        deadline: ``time.perf_counter()`` value after which no group is started.
        group_columns: columns of the styles one LP rounds together, at most (a style with
            more is a group of its own).

    Returns:
        ``WholePlan``: whole-number columns as in ``x`` (rounded), every order of the groups
        rounded a whole number, the rest re-solved; ``fractional`` counts the orders left
        fractional, in ``fractional_styles`` styles, and ``stop`` says why (``TIME_LIMIT``,
        ``INFEASIBLE``, or "" when none is left).
    """
    x = x.copy()
    integer = program.integer
    x[integer] = np.round(x[integer])
    styles = program.styles()
    orders = np.unique(order_columns[order_columns >= 0])
    apart = np.abs(x[orders] - np.round(x[orders])) > WHOLE_TOLERANCE
    x[orders[~apart]] = np.round(x[orders[~apart]])
    fractional = orders[apart]
    changed = len(fractional) > 0
    pending = np.unique(styles[fractional])
    if changed and pending[0] == SHARED:
        raise ValueError("every order column must carry its style's tag (round_orders checks)")
    key = np.where(integer, SHARED, styles)
    by_style = np.argsort(key, kind="stable")
    first = np.searchsorted(key[by_style], np.arange(int(styles.max(initial=-1)) + 2))
    sizes = first[pending + 1] - first[pending]
    group_of = _groups(sizes, group_columns)
    shared = np.flatnonzero((styles == SHARED) & ~integer)
    matrix = program.matrix.tocsc()
    activity = np.asarray(program.matrix @ x)
    period_of = np.broadcast_to(
        np.arange(order_columns.shape[1])[None, :, None], order_columns.shape
    )
    order_period = np.full(program.n_columns, -1, dtype=np.int64)
    order_period[order_columns[order_columns >= 0]] = period_of[order_columns >= 0]
    stop, failed = "", np.zeros(len(pending), dtype=bool)
    done = 0
    for group in range(int(group_of.max(initial=-1)) + 1):
        stop = stopped(deadline)
        if stop:
            break
        members = np.flatnonzero(group_of == group)
        columns = np.concatenate(
            [by_style[first[k] : first[k + 1]] for k in pending[members]] + [shared]
        )
        done = members[-1] + 1
        if not _round_group(program, matrix, activity, x, columns, order_period, deadline):
            failed[members] = True
            stop = stopped(deadline)
    if failed.any():
        stop = stop or INFEASIBLE
    left = np.isin(styles[fractional], pending[failed]) | np.isin(
        styles[fractional], pending[done:]
    )
    return WholePlan(
        x,
        program.value(x),
        changed,
        fractional=int(left.sum()),
        fractional_styles=int(failed.sum()) + len(pending) - done,
        rounded_styles=done - int(failed.sum()),
        stop=stop if left.any() else "",
    )


def _groups(sizes: IntArray, group_columns: int) -> IntArray:
    """Returns each style's group: consecutive styles, about ``group_columns`` columns a group."""
    starts = np.cumsum(sizes) - sizes
    _, group = np.unique(starts // max(group_columns, 1), return_inverse=True)
    return np.asarray(group, dtype=np.int64).ravel()


def _round_group(
    program: LinearProgram,
    matrix: sp.csc_matrix,
    activity: FloatArray,
    x: FloatArray,
    columns: IntArray,
    order_period: IntArray,
    deadline: float,
) -> bool:
    """Rounds the orders among ``columns`` inside the room the other columns leave.

    Updates ``x`` and ``activity`` (``A x``) in place when a rounding fits.

    Returns:
        Whether one did (False also when the deadline came first).
    """
    block = matrix[:, columns]
    rows = np.unique(block.indices)
    local = sp.csr_matrix(block[rows, :])
    before = x[columns]
    others = activity[rows] - local @ before
    sub = replace(
        program,
        objective=program.objective[columns],
        offset=0.0,
        matrix=local,
        row_lower=program.row_lower[rows] - others,
        row_upper=program.row_upper[rows] - others,
        col_lower=program.col_lower[columns],
        col_upper=program.col_upper[columns],
        integer=np.zeros(len(columns), dtype=bool),
        column_blocks={},
        row_blocks={},
        column_style=program.styles()[columns],
    )
    lp = HighsCopy(sub)
    periods = order_period[columns]
    mine = np.flatnonzero(periods >= 0)
    settled = _all_at_once(sub, lp, mine, before, deadline)
    if settled is None or len(columns) <= BOTH_WAYS_COLUMNS:
        by_period = _period_by_period(sub, lp, mine, periods[mine], before, deadline)
        if by_period is not None and (settled is None or sub.value(by_period) > sub.value(settled)):
            settled = by_period
    if settled is None:
        return False
    settled = np.clip(settled, sub.col_lower, sub.col_upper)
    settled[mine] = np.round(settled[mine])
    activity[rows] += local @ (settled - before)
    x[columns] = settled
    return True


def _period_by_period(
    sub: LinearProgram,
    lp: HighsCopy,
    mine: IntArray,
    periods: IntArray,
    x: FloatArray,
    deadline: float,
) -> FloatArray | None:
    """Returns the group's LP solution with its orders rounded a period at a time, or None.

    As ``whole_orders``: after each period the LP moves the later orders to make the best of
    the rounded ones.
    """
    lp.reset_bounds(mine)
    settled = x
    for period in np.unique(periods):
        seconds = deadline - time.perf_counter()
        if seconds <= 0:
            return None
        found = round_period(sub, lp, mine[periods == period], settled, seconds)
        if found is None:
            return None
        settled = found
    return settled


def _all_at_once(
    sub: LinearProgram, lp: HighsCopy, mine: IntArray, x: FloatArray, deadline: float
) -> FloatArray | None:
    """Returns the group's LP solution with all its orders rounded at once, or None."""
    for candidate in round_candidates(sub, mine, x):
        seconds = deadline - time.perf_counter()
        if seconds <= 0:
            return None
        lp.set_bounds(mine, candidate, candidate)
        if lp.run(seconds):
            settled = lp.values()
            settled[mine] = candidate
            return settled
    lp.reset_bounds(mine)
    return None


WHOLE_SEASON_COLUMNS = 200_000
"""Largest program rounded with one LP over the whole season (``whole_orders``) [columns]."""


def round_orders(
    program: LinearProgram, order_columns: IntArray, x: FloatArray, deadline: float
) -> WholePlan | None:
    """Returns ``x`` with its orders rounded to whole units: over the whole season when small.

    ``whole_orders`` (one LP of the whole season per period) up to ``WHOLE_SEASON_COLUMNS``
    columns or when the program's orders carry no style tags, ``whole_orders_by_group`` above.

    Args:
        program: the program ``x`` solves.
        order_columns: the order columns [units], shape ``(n_options, T, Ω)``, -1 for none.
        x: a feasible solution of ``program``.
        deadline: ``time.perf_counter()`` value after which no more orders are rounded.

    Returns:
        The ``WholePlan``; None when the whole-season rounding finds none that fits.
    """
    untagged = program.styles()[order_columns[order_columns >= 0]] == SHARED
    if program.n_columns <= WHOLE_SEASON_COLUMNS or untagged.any():
        return whole_orders(program, order_columns, x, deadline)
    return whole_orders_by_group(program, order_columns, x, deadline)
