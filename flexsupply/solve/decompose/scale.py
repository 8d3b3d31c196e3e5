"""Seasons of hundreds to thousands of styles: a bound and a plan without the whole program.

On 500 styles × 10 factories × 52 weeks (386,000 rows) the whole-program steps never end in
time: its LP relaxation took 130 s, the warm start's dive on it found no plan in 255 s, and a
round of per-style MILPs took 1,800 core-seconds at load 10. At this size (``at_scale``) the
decomposition works on the styles alone:

1. rounds of the blocks' LP relaxations (``lp_rounds.py``) move the multipliers by the box
   trust-region LP master (``Bundle.box``), the cuts summed by ``CUT_GROUPS`` groups of styles
   and ``CUT_MEMORY`` rounds kept; every round is a valid bound, and the rounds reach the LP
   optimum, so the multipliers price the factory minutes as the LP duals do;
2. with ``shares`` in ``PLAN_BY`` (off by default), each style's share of the linking rows'
   room from the restricted master over the rounds' block LP solutions (``shares.py``), and
   every style's MILP inside its own share, in parallel on the executor;
3. a sweep of per-style MILPs at the best multipliers, in chunks, the styles worth most in the
   LP first (``by_value``: the styles the sweep does not reach lose least), each style's proven
   MILP bound replacing its LP value (still a valid bound after any chunk);
4. the repair (``repair``): the sweep's plans (or share plans) that fit together best are
   picked by a small MIP (``shares.pick``); at the LP duals many styles find the same
   factory-weeks cheapest, so the picked plans that clash are priced out of the full rows
   and solved again on the executor (``auction.settle``); the styles still left out are glued
   into the room the others leave (``residual.py``), then every switch is fixed and one LP runs
   over the whole season (``joint_plan``), the styles that lost most re-plan inside the room
   all others leave (``trade_room``) and the LP runs again;
5. with time left (the whole sweep done: small seasons), the picked plans without the
   re-pricing and the sweep's plans in value order are repaired the same way; the best plan
   is kept.

Work limits are counts; the time limit is a safety net that stops the LP rounds at
``LP_SHARE``, the share plans at ``SHARE_PLAN_SHARE``, the sweep at ``SWEEP_SHARE`` and the
re-pricing at ``AUCTION_SHARE`` of the time, and ends the repairs ``END_SHARE`` of it before the deadline; every step checks it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverOptions
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.auction import settle
from flexsupply.solve.decompose.bundle import Bundle, groups_of
from flexsupply.solve.decompose.chunks import run_chunks
from flexsupply.solve.decompose.executors import Executor
from flexsupply.solve.decompose.linking import Partition, one_sided_links
from flexsupply.solve.decompose.lp_rounds import LpRounds, lp_rounds
from flexsupply.solve.decompose.primal import Clock, SearchState
from flexsupply.solve.decompose.residual import (
    JOINT_TOLERANCE,
    inside_program,
    joint_plan,
    residual_plan,
    room_rows,
    trade_room,
)
from flexsupply.solve.decompose.shares import MIN_PRICE, OVERFLOW_PRICE, pick, share_out
from flexsupply.solve.decompose.subproblems import Block, priced_objective

AT_SCALE_ROWS = 150_000
"""Programs of at least this many rows are solved at scale: above it the whole program's LP
takes minutes (130 s for 386,000 rows at load 9; spring-drop with 15 scenarios, 67,000 rows,
takes 10-20 s and keeps the whole-program steps)."""
CUT_GROUPS = 256
"""Model variables of the bundle at scale: the styles' cuts are summed in this many groups.
The bundle's master is the box trust-region LP (``Bundle.box``): the QP with 2,001 cuts a round
did not solve in 80 CPU-seconds and, grouped by 32, stalled at 81.38 M on 500x10x52x1 (LP
optimum 80.31 M); the LP master reaches 80.31 M in 12 rounds there, and on 2000x20x26x1 146.25 M
in 13 rounds with every style's cut (20,010 cuts, 20 s a master at load 9) or 18 rounds with
256 groups (2,560 cuts, 1-5 s a master)."""
CUT_MEMORY = 10
"""Rounds of cuts the bundle keeps at scale."""
LP_SHARE = 0.35
"""No LP round starts after this share of the time limit."""
SHARE_PLAN_SHARE = 0.45
"""No chunk of the MILPs inside the styles' shares starts after this share of the time limit."""
SWEEP_SHARE = 0.6
"""No chunk of the bound's MILP sweep starts after this share of the time limit."""
AUCTION_SHARE = 0.75
"""No chunk of the styles re-priced out of full factory-weeks (``auction.settle``) starts
after this share of the time limit."""
SWEEP_GAP = 2e-3
"""Relative gap of each style's MILP in the sweep (its proven bound is what counts)."""
SHARE_NODES = 50
"""Branch-and-bound nodes of a style's MILP inside its share."""
SHARE_GAP = 1e-2
"""Relative gap of that MILP."""
END_SHARE = 0.12
"""The repairs end this share of the time limit before the deadline."""
PICK_SHARE = 0.2
"""Share of the time left for the MIP that picks each style's plan (``shares.pick``)."""
PLAN_BY: tuple[str, ...] = ("pick", "auction", "glue")
"""The plans tried, in order: ``pick``, the sweep's plans that fit together best first
(``shares.pick``, with each style's plan inside its share of the LP optimum as a second
choice when ``shares`` is also named), with ``auction`` the clashing ones priced out of full
rows first (``auction.settle``), then ``glue``, the sweep's plans in value order, when time is
left (``residual.residual_plan``). ``shares`` is off by default: on 500x10x52x1 a
style's share of the LP optimum spreads over about 40 factory-weeks, too thin for a whole
order in any, so 118 of 500 styles had no plan inside it and most others planned nothing."""
FIRST_STEP = 0.3
"""The first multiplier step moves μ by about this share of its size."""


def at_scale(program: LinearProgram) -> bool:
    """Returns whether ``program`` is solved at scale (``AT_SCALE_ROWS`` rows or more)."""
    return program.n_rows >= AT_SCALE_ROWS


def plans_by_style(program: LinearProgram) -> bool:
    """Returns whether the run at scale glues its own first plan (``residual.py``).

    True at scale when every linking row has one side; otherwise the whole program's warm
    start is still needed for a plan.
    """
    return at_scale(program) and one_sided_links(program)


@dataclass(frozen=True)
class ScaleReport:
    """What the run at scale did, for the result's ``extra``.

    Attributes:
        lp_bound: the best bound of the LP rounds [currency, maximisation form].
        lp_rounds: LP rounds evaluated.
        swept: styles whose MILP the sweep solved.
        taken: styles whose share (or sweep) plan went into the plan unchanged.
        shared: styles planned inside their share (0 without shares).
    """

    lp_bound: float
    lp_rounds: int
    swept: int
    taken: int
    shared: int = 0


def solve_at_scale(
    parts: Partition,
    blocks: list[Block],
    bundle: Bundle,
    backend: str,
    sub_options: SolverOptions,
    state: SearchState,
    executor: Executor,
    began: float,
    deadline: float,
    clock: Clock,
) -> ScaleReport:
    """Runs the steps of the module docstring, updating ``state`` (bound, plan).

    Args:
        parts: the partition (maximisation form, linking rows scaled).
        blocks: its blocks.
        bundle: a fresh bundle for the partition.
        backend: the backend name the MILPs go to.
        sub_options: the subproblems' options (engine, nodes, seed; gap and time set here).
        state: the search state, updated in place.
        executor: runs the MILPs (the blocks already loaded).
        began: the method's start on ``clock`` [seconds].
        deadline: the method's end on ``clock`` (inf without a limit) [seconds].
        clock: the time source [seconds].

    Returns:
        The ``ScaleReport``.
    """
    total = deadline - began

    def at(share: float) -> float:
        return began + share * total if math.isfinite(total) else math.inf

    bundle.group = groups_of(len(blocks), CUT_GROUPS)
    bundle.memory = CUT_MEMORY
    bundle.box = True
    mu = bundle.feasible_start(np.zeros(len(parts.linking_rows)))
    offset = parts.program.offset
    lp = lp_rounds(blocks, bundle, mu, offset, FIRST_STEP, at(LP_SHARE), clock)
    state.clock_stopped |= lp.clock_stopped
    state.iterations += lp.rounds
    state.evaluations += lp.rounds
    if not math.isfinite(lp.bound):
        return ScaleReport(math.nan, lp.rounds, 0, 0)
    state.bound = min(state.bound, lp.bound)
    state.lagrangian = min(state.lagrangian, lp.bound)
    mu = lp.mu
    rows = room_rows(parts)
    inside: list[FloatArray | None] = [None] * len(blocks)
    if "shares" in PLAN_BY and rows is not None:
        inside = _inside_shares(
            lp,
            blocks,
            rows[0],
            rows[1],
            backend,
            sub_options,
            executor,
            at(SHARE_PLAN_SHARE),
            clock,
            state,
        )
    values = lp.values.copy()
    candidates: list[FloatArray | None] = [None] * len(blocks)
    options = replace(sub_options, gap=SWEEP_GAP)
    swept = 0
    # Styles worth most in the LP go first: those the sweep leaves to the glue lose least.
    order = by_value(blocks, lp.x)
    for solution in run_chunks(
        order,
        lambda k: priced_objective(blocks[k], mu),
        backend,
        options,
        executor,
        at(SWEEP_SHARE),
        clock,
        state,
    ):
        k = solution.block
        if math.isfinite(solution.bound):
            values[k] = min(values[k], solution.bound)
        if len(solution.x) == len(blocks[k].columns):
            candidates[k] = solution.x
        swept += 1
    value = float(values.sum()) + bundle.h(mu) + offset
    state.bound = min(state.bound, value)
    state.lagrangian = min(state.lagrangian, value)
    taken = shared = 0
    # The whole program's plan search (``method.py``) gets the last share of the time.
    end = _perf(deadline - END_SHARE * total if math.isfinite(total) else math.inf, clock)
    if "pick" in PLAN_BY and rows is not None:
        shared = sum(x is not None for x in inside)
        price = OVERFLOW_PRICE * max(float(np.max(np.abs(mu), initial=0.0)), MIN_PRICE)
        # The candidates that fit together best go first; a style left out is planned later
        # inside the room the others leave.
        chosen = _picked(blocks, [candidates, inside], rows[0], rows[1], price, end)
        tried = [(chosen, order, "picked styles")]
        if "auction" in PLAN_BY:

            def solve(styles: Sequence[int], objective: Callable[[int], FloatArray]) -> Any:
                stop = at(AUCTION_SHARE)
                return run_chunks(styles, objective, backend, options, executor, stop, clock, state)

            settled, first, _ = settle(blocks, chosen, order, rows[0], rows[1], mu, solve)
            tried.insert(0, (settled, first, "picked styles, priced out"))
        # The picked plans as they are are glued too where the whole sweep fitted (small
        # seasons), so the plan is never worse than without the pricing out.
        for plans, first, source in tried[: 1 if swept < len(order) else None]:
            taken = max(taken, repair(parts, blocks, plans, mu, state, source, end, first))
    if "glue" in PLAN_BY and (state.x is None or swept == len(order)):
        glued = repair(parts, blocks, candidates, mu, state, "styles", end, order)
        taken = taken or glued
    return ScaleReport(lp.bound, lp.rounds, swept, taken, shared)


def repair(
    parts: Partition,
    blocks: list[Block],
    candidates: list[FloatArray | None],
    mu: FloatArray,
    state: SearchState,
    source: str,
    end: float,
    order: Sequence[int] | None = None,
) -> int:
    """Glues ``candidates`` into a plan, then the joint LP and trading; keeps the best in ``state``.

    Args:
        parts: the partition (maximisation form, every linking row one-sided).
        blocks: its blocks.
        candidates: per block, a plan of its own program or None (planned inside the room left).
        mu: the multipliers that price the styles planned again.
        state: gets each better feasible plan, found by ``source`` and the repair step.
        source: where the candidates come from, for ``found_by``.
        end: ``time.perf_counter()`` value by which the repair ends.
        order: the order styles without a candidate that fits are planned in (None: theirs).

    Returns:
        Styles whose candidate went into the glued plan unchanged (0 without a glued plan).
    """
    left = end - time.perf_counter()
    plan = residual_plan(parts, blocks, candidates, mu, time.perf_counter() + 0.5 * left, order)
    if plan is None:
        return 0
    state.clock_stopped |= plan.time_limited
    _keep(parts, plan.x, state, source)
    side_by_side = plan.x.copy()
    for block, candidate in zip(blocks, candidates, strict=True):
        if candidate is not None:
            side_by_side[block.columns] = candidate
    joint = joint_plan(parts, [plan.x, side_by_side], end)
    if joint is None:
        return plan.taken
    _keep(parts, joint[0], state, f"{source}, joint LP")
    # The styles that lost most take back the room the LP left free.
    half = time.perf_counter() + 0.5 * (end - time.perf_counter())
    traded, changed = trade_room(parts, blocks, joint[0], candidates, half)
    if changed:
        _keep(parts, traded, state, f"{source}, traded")
        second = joint_plan(parts, [traded], end)
        if second is not None:
            _keep(parts, second[0], state, f"{source}, joint LP after trading")
    return plan.taken


def _inside_shares(
    lp: LpRounds,
    blocks: list[Block],
    flip: FloatArray,
    room: FloatArray,
    backend: str,
    sub_options: SolverOptions,
    executor: Executor,
    stop: float,
    clock: Clock,
    state: SearchState,
) -> list[FloatArray | None]:
    """Returns each style's plan inside its share of the room (None where it has none).

    The executor is given the styles' programs with their share rows for this pass, and their
    own programs back after it.
    """
    inside: list[FloatArray | None] = [None] * len(blocks)
    shares = share_out(lp.own, lp.usage, flip, room, lp.mu)
    if shares is None:
        return inside
    zero = np.zeros(len(room))
    programs = [
        inside_program(block, flip, share, zero)
        for block, share in zip(blocks, shares.room, strict=True)
    ]
    executor.load(programs)
    options = replace(sub_options, gap=SHARE_GAP, node_limit=SHARE_NODES)
    for solution in run_chunks(
        _styles(blocks),
        lambda k: programs[k].objective,
        backend,
        options,
        executor,
        stop,
        clock,
        state,
    ):
        if len(solution.x) == len(blocks[solution.block].columns):
            inside[solution.block] = solution.x
    executor.load([block.program for block in blocks])
    return inside


def _picked(
    blocks: list[Block],
    sources: list[list[FloatArray | None]],
    flip: FloatArray,
    room: FloatArray,
    price: float,
    end: float,
) -> list[FloatArray | None]:
    """Returns per style the plan of ``sources`` that ``shares.pick`` chooses (None: none)."""
    choices = [
        [x for x in (source[k] for source in sources) if x is not None] for k in range(len(blocks))
    ]
    usage = [
        [flip * np.asarray(b.link @ x).ravel() for x in plans]
        for b, plans in zip(blocks, choices, strict=True)
    ]
    value = [
        [float(b.program.objective @ x) for x in plans]
        for b, plans in zip(blocks, choices, strict=True)
    ]
    seconds = PICK_SHARE * (end - time.perf_counter()) if math.isfinite(end) else None
    picked = pick(
        choices, usage, value, room, price, None if seconds is None else max(seconds, 1.0)
    )
    return [None if j is None else choices[k][j] for k, j in enumerate(picked)]


def by_value(blocks: Sequence[Block], solutions: Sequence[FloatArray]) -> list[int]:
    """Returns the blocks that have columns, by their own value at ``solutions``, largest first.

    Args:
        blocks: the partition's blocks.
        solutions: per block, a solution of its program (the LP rounds' at the best μ).

    Returns:
        Block indices; ties keep the blocks' order.
    """
    styles = _styles(list(blocks))
    value = [float(blocks[k].program.objective @ solutions[k]) for k in styles]
    return [styles[i] for i in np.argsort(-np.asarray(value), kind="stable")]


def _styles(blocks: list[Block]) -> list[int]:
    """Returns the blocks that have columns."""
    return [k for k, block in enumerate(blocks) if len(block.columns)]


def _perf(at: float, clock: Clock) -> float:
    """Returns the ``time.perf_counter()`` value of time ``at`` on ``clock``."""
    return time.perf_counter() + (at - clock()) if math.isfinite(at) else math.inf


def _keep(parts: Partition, x: FloatArray, state: SearchState, found_by: str) -> None:
    """Makes ``x`` (partitioned columns) the plan when it is feasible and better."""
    original = x[: parts.n_original]
    whole = _original(parts)
    if whole.violation(original) <= JOINT_TOLERANCE and whole.value(original) > state.value:
        state.x, state.value, state.found_by = original, whole.value(original), found_by


def _original(parts: Partition) -> LinearProgram:
    """Returns the partitioned program without its copy columns and rows (the original)."""
    program = parts.program
    n, m = parts.n_original, program.n_rows - len(parts.copied)
    return replace(
        program,
        objective=program.objective[:n],
        matrix=program.matrix[:m, :n],
        row_lower=program.row_lower[:m],
        row_upper=program.row_upper[:m],
        col_lower=program.col_lower[:n],
        col_upper=program.col_upper[:n],
        integer=program.integer[:n],
    )
