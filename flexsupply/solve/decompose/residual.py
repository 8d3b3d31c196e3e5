"""A plan for the whole season built style by style under the room the linking rows have left.

When every linking row has one side only (factory minutes, warehouse space, a budget: at most
u, or at least l), a plan can be glued from per-style plans without ever solving the whole
program: go through the styles and give each the room the styles before it left,

    A_Lk x_k ≤ u − Σ_{j before k} A_Lj x_j,

so the glued plan keeps every linking row by construction. A style whose candidate plan (its
Lagrangian subproblem's solution) fits the room is taken as it is, in a first pass, so the
candidates that fit are never squeezed out by a style solved later; the others are then
solved again inside the room, priced by the multipliers (a node-limited MIP from HiGHS, else
an LP dive, ``heuristics/lp_dive``). Each style is a program of a few hundred columns, so the
whole plan costs milliseconds to a second a style, where one LP of a 500-style season took
minutes. A linking row with two finite sides (a balance, a copy of a shared column) cannot be
shared out this way: ``residual_plan`` then returns None and the plan side's repair is used.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray
from flexsupply.heuristics.highs import HighsCopy, load_highspy
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.linking import Partition
from flexsupply.solve.decompose.subproblems import Block

FIT_TOLERANCE = 1e-7
"""A candidate fits when it uses at most this much more than the room left [scaled row units]."""
RESOLVE_NODES = 20
"""Branch-and-bound nodes of the MIP that re-plans a style inside its room."""
RESOLVE_GAP = 1e-2
"""Relative gap of that MIP."""
DIVE_GRACE = 1.0
"""A style's dive past the deadline still gets this long before it gives up [seconds]: a plan
is only whole when every style has one."""
JOINT_TOLERANCE = 1e-5
"""Largest row or bound violation of a jointly repaired plan [scaled row units]."""
OVERRUN_SECONDS = 10.0
"""Past its deadline the glue dives for the styles left for this long in all [seconds]; after
that a style whose empty plan (it orders nothing) fits its room gets that plan, and only the
others still dive. On 2000x20x26x20 the dives' grace alone ran the glue 7 minutes past its
deadline."""
WHOLE_PROGRAM_COLUMNS = 1_500_000
"""Largest program the steps over the whole season load into HiGHS (the joint LP here, the
plan search after the run at scale) [columns]: at 2000x20x26x20 (7 million columns) one LP
over the whole season took the process past 10 GB."""


@dataclass(frozen=True)
class ResidualPlan:
    """A plan glued style by style.

    Attributes:
        x: the plan in the partitioned program's columns.
        taken: styles whose candidate was taken as it is.
        resolved: styles planned again inside their room.
        time_limited: the deadline cut a re-plan short (another run may differ).
    """

    x: FloatArray
    taken: int
    resolved: int
    time_limited: bool


def room_rows(parts: Partition) -> tuple[FloatArray, FloatArray] | None:
    """Returns each linking row's sign (−1 for an at-least row) and its room, or None.

    Returns:
        ``(flip, room)`` such that every linking row reads ``flip·(A x) ≤ room``; None when
        some linking row has two finite sides.
    """
    program = parts.program
    low = program.row_lower[parts.linking_rows]
    up = program.row_upper[parts.linking_rows]
    if np.any(np.isfinite(low) & np.isfinite(up)):
        return None
    flip = np.where(np.isfinite(low), -1.0, 1.0)
    room = np.where(np.isfinite(up), up, np.where(np.isfinite(low), -low, math.inf))
    return flip, room


def residual_plan(
    parts: Partition,
    blocks: Sequence[Block],
    candidates: Sequence[FloatArray | None],
    mu: FloatArray,
    deadline: float,
    order: Sequence[int] | None = None,
) -> ResidualPlan | None:
    """Returns a plan that keeps every linking row, from per-style candidates, or None.

    Args:
        parts: the partition (its program in maximisation form).
        blocks: its blocks, in order.
        candidates: per block, a solution of the block's own program, or None.
        mu: the multipliers that price the styles planned again [currency per row unit].
        deadline: ``time.perf_counter()`` value after which re-plans stop early (a safety net).
        order: the blocks in the order they are taken, candidates and re-plans alike (None:
            the blocks' own order); blocks it leaves out come after it.

    Returns:
        The ``ResidualPlan``; None when some linking row has two finite sides or a style
        finds no plan inside the room left to it (a style whose empty plan fits gets that).
    """
    rows = room_rows(parts)
    if rows is None:
        return None
    flip, room = rows
    room = room.copy()
    x = np.zeros(parts.program.n_columns)
    waiting = []
    first = [] if order is None else list(order)
    for k in [*first, *np.setdiff1d(np.arange(len(blocks)), first).tolist()]:
        block, candidate = blocks[k], candidates[k]
        if not len(block.columns):
            continue
        if candidate is None or len(candidate) != len(block.columns):
            waiting.append(k)
            continue
        usage = flip * np.asarray(block.link @ candidate).ravel()
        if np.all(usage <= room + FIT_TOLERANCE):
            room -= usage
            x[block.columns] = candidate
        else:
            waiting.append(k)
    cut = False
    for turn, k in enumerate(waiting):
        block = blocks[k]
        # Each style's safety net is twice its even share of the time left.
        share = 2.0 * (deadline - time.perf_counter()) / (len(waiting) - turn)
        if time.perf_counter() > deadline + OVERRUN_SECONDS and _nothing_fits(block, flip, room):
            planned: tuple[FloatArray, bool] | None = (np.zeros(len(block.columns)), True)
        else:
            planned = _plan_inside(block, flip, room, mu, time.perf_counter() + share)
        if planned is None and _nothing_fits(block, flip, room):
            # Neither the MIP nor the dive found a plan in time (load 16 at 2000x20x26x20).
            planned = (np.zeros(len(block.columns)), True)
        if planned is None:
            return None
        solution, limited = planned
        cut |= limited
        room -= flip * np.asarray(block.link @ solution).ravel()
        x[block.columns] = solution
    return ResidualPlan(x, len(blocks) - len(waiting), len(waiting), cut)


def _nothing_fits(block: Block, flip: FloatArray, room: FloatArray) -> bool:
    """Returns whether the style's empty plan (every column 0) keeps its rows, bounds and room."""
    own = block.program
    inside = np.all(own.col_lower <= 0.0) and np.all(own.col_upper >= 0.0)
    rows = np.all(own.row_lower <= FIT_TOLERANCE) and np.all(own.row_upper >= -FIT_TOLERANCE)
    touched = np.flatnonzero(np.diff(sp.csr_matrix(block.link).indptr))
    return bool(inside and rows and np.all(room[touched] >= -FIT_TOLERANCE))


def inside_program(
    block: Block, flip: FloatArray, room: FloatArray, mu: FloatArray
) -> LinearProgram:
    """Returns ``block``'s program priced by ``mu`` with the rows ``flip·(A_Lk x) ≤ room``.

    Only the linking rows the block touches are added; a negative room reads as none
    (``≤ 0``).
    """
    link = sp.csr_matrix(block.link)
    touched = np.flatnonzero(np.diff(link.indptr))
    own = block.program
    priced = own.objective - np.asarray(link.T @ mu).ravel()
    return replace(
        own,
        objective=priced,
        matrix=sp.csr_matrix(sp.vstack([own.matrix, sp.diags(flip[touched]) @ link[touched]])),
        row_lower=np.concatenate([own.row_lower, np.full(len(touched), -math.inf)]),
        row_upper=np.concatenate([own.row_upper, np.maximum(room[touched], 0.0)]),
    )


def _plan_inside(
    block: Block, flip: FloatArray, room: FloatArray, mu: FloatArray, deadline: float
) -> tuple[FloatArray, bool] | None:
    """Returns a plan of ``block`` that keeps ``flip·(A_Lk x) ≤ room``, priced by ``mu``.

    Returns:
        ``(solution, cut by the deadline)``, or None when neither the MIP nor a dive finds one
        (the dive stops at ``deadline``, or ``DIVE_GRACE`` from now if that is later).
    """
    program = inside_program(block, flip, room, mu)
    left = deadline - time.perf_counter()
    if left <= 0:
        found = dive(program, time.perf_counter() + DIVE_GRACE)
        return None if found is None else (_clean(program, found), True)
    mip = HighsCopy(program, integer=True)
    mip.set_option("mip_rel_gap", RESOLVE_GAP)
    mip.set_option("mip_max_nodes", RESOLVE_NODES)
    if mip.run(left):
        limited = mip.highs.getModelStatus() == load_highspy().HighsModelStatus.kTimeLimit
        return _clean(program, mip.values()), limited
    found = dive(program, max(deadline, time.perf_counter() + DIVE_GRACE))
    return None if found is None else (_clean(program, found), True)


def _clean(program: LinearProgram, x: FloatArray) -> FloatArray:
    """Returns ``x`` inside its bounds with integer columns rounded."""
    x = np.clip(x, program.col_lower, program.col_upper)
    return np.where(program.integer, np.round(x), x)


def joint_plan(
    parts: Partition, sources: Sequence[FloatArray], deadline: float
) -> tuple[FloatArray, float] | None:
    """Returns the best plan with every integer column fixed as in one of ``sources``.

    For each source in turn (a plan of the partitioned program, e.g. the styles' candidates put
    side by side, then the glued plan), the order switches and other integer columns are fixed
    at its rounded values and the one LP left over the whole season, linking rows included, is
    solved: the styles share the factory minutes jointly instead of in gluing order.

    Args:
        parts: the partition (its program in maximisation form).
        sources: plans whose integer columns are tried, in order.
        deadline: ``time.perf_counter()`` value; no LP starts after it and each stops there.

    Returns:
        ``(plan, value)`` in the partitioned program's columns [currency, maximisation form],
        or None when no source's LP is feasible in time, or the program has more than
        ``WHOLE_PROGRAM_COLUMNS`` columns.
    """
    if time.perf_counter() >= deadline or parts.program.n_columns > WHOLE_PROGRAM_COLUMNS:
        return None
    program = parts.program
    ints = np.flatnonzero(program.integer)
    lp = HighsCopy(program, integer=False)
    best: tuple[FloatArray, float] | None = None
    for source in sources:
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        fixed = np.clip(np.round(source[ints]), program.col_lower[ints], program.col_upper[ints])
        lp.set_bounds(ints, fixed, fixed)
        if not lp.run(left):
            continue
        x = np.clip(lp.values(), program.col_lower, program.col_upper)
        x[ints] = fixed
        value = program.value(x)
        if program.violation(x) <= JOINT_TOLERANCE and (best is None or value > best[1]):
            best = (x, value)
    return best


def trade_room(
    parts: Partition,
    blocks: Sequence[Block],
    x: FloatArray,
    candidates: Sequence[FloatArray | None],
    deadline: float,
) -> tuple[FloatArray, int]:
    """Returns ``x`` with styles re-planned, one at a time, inside the room all others leave.

    A second pass over a feasible plan (the joint LP's): the styles whose own value fell
    most below their candidate's are taken first, and each is planned again (a node-limited
    MIP at its own prices, ``_plan_inside``) inside what the linking rows leave once every
    other style's use is counted. A style's new plan is kept only when it is worth more, so
    each change raises the season's value and every linking row still holds.

    Args:
        parts: the partition (its program in maximisation form, every linking row one-sided).
        blocks: its blocks, in order.
        x: a plan of the partitioned program that keeps every row.
        candidates: per block, its Lagrangian plan or None (the order of the pass).
        deadline: ``time.perf_counter()`` value after which no style is re-planned.

    Returns:
        ``(plan, styles changed)``; ``x`` itself when no linking row is one-sided.
    """
    rows = room_rows(parts)
    if rows is None:
        return x, 0
    flip, room = rows
    x = x.copy()
    usage = [flip * np.asarray(block.link @ x[block.columns]).ravel() for block in blocks]
    used = np.sum(usage, axis=0)
    own = [float(block.program.objective @ x[block.columns]) for block in blocks]
    loss = np.array(
        [
            -math.inf if c is None or not len(c) else float(b.program.objective @ c) - own[k]
            for k, (b, c) in enumerate(zip(blocks, candidates, strict=True))
        ]
    )
    changed = 0
    zero = np.zeros(len(room))
    for k in np.argsort(-loss, kind="stable"):
        if loss[k] <= 0 or time.perf_counter() >= deadline:
            break
        block = blocks[k]
        left = room - (used - usage[k])
        planned = _plan_inside(block, flip, left, zero, deadline)
        if planned is None:
            continue
        solution = planned[0]
        new_usage = flip * np.asarray(block.link @ solution).ravel()
        value = float(block.program.objective @ solution)
        if value > own[k] + 1e-9 * max(abs(own[k]), 1.0) and np.all(
            new_usage <= left + FIT_TOLERANCE
        ):
            used += new_usage - usage[k]
            usage[k], own[k] = new_usage, value
            x[block.columns] = solution
            changed += 1
    return x, changed
