"""Whole pieces: turns a plan with fractional order quantities into one that orders whole units.

A factory takes whole pieces. When the engine solved with continuous order quantities (the
default ``options.integer_orders: false``, much faster), every order is rounded here to a whole
number of units while the order switches, tiers and supplier choices of the solved plan stay as
they are. Roundings are tried in turn (to the nearest unit, then all down, then all up, an order
never going below its minimum); for each, stock, sales, shipments and cash are re-solved as an LP
with the orders fixed, and the first feasible one is kept. The returned objective is the exact
value of the rounded plan. The engine's bound stays valid: the continuous program is a relaxation
of the whole-piece one. Each step is an LP solved to optimality, so the result is deterministic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import interrupt
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram

WHOLE_TOLERANCE = 1e-6
"""An order within this of a whole number is read as that number [units]."""
SETTLE_SECONDS = 60.0
"""Safety net on each LP's wall clock [seconds]; the LPs finish long before on any season."""
TIME_LIMIT = "time_limit"
"""``WholePlan.stop`` when the deadline ended the rounding with orders still fractional."""
INFEASIBLE = "infeasible"
"""``WholePlan.stop`` when no rounding tried fits some orders, left fractional."""
INTERRUPTED = "interrupted"
"""``WholePlan.stop`` when Ctrl-C ended the rounding (HiGHS stops at it) with orders left."""


def stopped(deadline: float) -> str:
    """Returns why the rounding must stop now (``INTERRUPTED``, ``TIME_LIMIT``), or ""."""
    if interrupt.requested():
        return INTERRUPTED
    return TIME_LIMIT if time.perf_counter() >= deadline else ""


@dataclass(frozen=True)
class WholePlan:
    """A plan whose order quantities are whole units."""

    x: FloatArray
    """Column values; order columns hold exact whole numbers."""
    objective: float
    """Objective of ``x``, offset included [currency]."""
    changed: bool
    """True when some order was fractional in the engine's plan."""
    fractional: int = 0
    """Orders still fractional in ``x`` [count]."""
    fractional_styles: int = 0
    """Styles those orders belong to [count] (0 when rounded over the whole season)."""
    rounded_styles: int = 0
    """Styles whose fractional orders were rounded group by group [count]."""
    stop: str = ""
    """Why orders are still fractional: ``TIME_LIMIT``, ``INTERRUPTED``, ``INFEASIBLE``; ""
    when none is."""


def whole_orders(
    program: LinearProgram,
    order_columns: IntArray,
    x: FloatArray,
    deadline: float = float("inf"),
) -> WholePlan | None:
    """Returns a plan whose orders are ``x``'s orders rounded to whole units, or None.

    Orders are rounded one period at a time, earliest first; after each period the LP moves
    the later orders, stock, sales and cash to make the best of the rounded ones.

    Args:
        program: the program ``x`` solves (order columns continuous or integer).
        order_columns: the columns holding order quantities [units], shape
            ``(n_options, T, Ω)``, -1 for none.
        x: a feasible solution of ``program``.
        deadline: ``time.perf_counter()`` value after which no period is started; the orders
            of the periods left stay as the last LP had them (``stop`` is ``TIME_LIMIT``, or
            ``INTERRUPTED`` after Ctrl-C).

    Returns:
        ``WholePlan`` with every order column a whole number and the other columns re-solved,
        or None when, in some period, none of the roundings tried (nearest, down, up) is
        feasible.
    """
    orders = np.unique(order_columns[order_columns >= 0])
    switches = np.setdiff1d(np.flatnonzero(program.integer), orders)
    switch_values = np.round(x[switches])
    changed = bool(np.any(np.abs(x[orders] - np.round(x[orders])) > WHOLE_TOLERANCE))
    current = x.copy()
    lp = HighsCopy(program)
    lp.set_bounds(switches, switch_values, switch_values)
    rounded = np.zeros(0, dtype=np.int64)
    why = ""
    for period in range(order_columns.shape[1]):
        why = stopped(deadline)
        if why:
            break
        columns = np.unique(order_columns[:, period, :][order_columns[:, period, :] >= 0])
        settled = round_period(program, lp, columns, current, SETTLE_SECONDS)
        if settled is None:
            why = stopped(deadline)
            if not why:
                return None
            break
        current, rounded = settled, np.concatenate([rounded, columns])
    current[switches] = switch_values
    current[rounded] = np.round(current[rounded])
    left = int(np.sum(np.abs(current[orders] - np.round(current[orders])) > WHOLE_TOLERANCE))
    return WholePlan(current, program.value(current), changed, left, stop=why if left else "")


def round_candidates(program: LinearProgram, columns: IntArray, x: FloatArray) -> list[FloatArray]:
    """Returns the roundings of ``x[columns]`` to try in turn: nearest, then all down, all up.

    Each is clipped to the columns' bounds rounded inwards, so an order never goes below its
    minimum [units].
    """
    quantity = x[columns]
    nearest = np.round(quantity)
    whole = np.abs(quantity - nearest) <= WHOLE_TOLERANCE
    lowest = np.ceil(program.col_lower[columns] - WHOLE_TOLERANCE)
    highest = np.floor(program.col_upper[columns] + WHOLE_TOLERANCE)
    candidates = [nearest]
    if not whole.all():
        candidates += [np.where(whole, nearest, np.floor(quantity))]
        candidates += [np.where(whole, nearest, np.ceil(quantity))]
    return [np.clip(candidate, lowest, highest) for candidate in candidates]


def round_period(
    program: LinearProgram, lp: HighsCopy, columns: IntArray, x: FloatArray, seconds: float
) -> FloatArray | None:
    """Returns the LP's best solution with ``columns`` fixed to whole units, or None.

    Args:
        program: the program loaded in ``lp``.
        lp: its HiGHS copy; ``columns`` stay fixed at the rounding that fits.
        columns: the orders to round.
        x: the solution whose ``columns`` are rounded.
        seconds: each LP's time limit [seconds].

    Returns:
        The solution of the first rounding of ``round_candidates`` that is feasible, or None.
    """
    for values in round_candidates(program, columns, x):
        lp.set_bounds(columns, values, values)
        if lp.run(seconds):
            settled = lp.values()
            settled[columns] = values
            return settled
    return None
