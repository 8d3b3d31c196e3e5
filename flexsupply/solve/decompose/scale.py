"""Seasons of hundreds to thousands of styles: a bound and a plan without the whole program.

On 500 styles × 10 factories × 52 weeks (386,000 rows) the whole-program steps never end in
time: its LP relaxation took 130 s, the warm start's dive on it found no plan in 255 s, and a
round of per-style MILPs took 1,800 core-seconds at load 10. At this size (``at_scale``) the
decomposition works on the styles alone:

1. rounds of the blocks' LP relaxations (``lp_rounds.py``) move the multipliers by the box
   trust-region LP master (``Bundle.box``), the cuts summed by ``CUT_GROUPS`` groups of styles
   and ``CUT_MEMORY`` rounds kept; every round is a valid bound, and the rounds reach the LP
   optimum, so the multipliers price the factory minutes as the LP duals do;
2. a sweep of per-style MILPs at the best multipliers, in chunks on the executor, each style's
   proven MILP bound replacing its LP value (still a valid bound after any chunk);
3. a plan glued style by style under the room the linking rows leave (``residual.py``), from
   the sweep's solutions; a style the sweep did not reach is planned inside its room;
4. a joint repair: every style's switches fixed (the sweep's side by side, else the glued
   plan's) and one LP over the whole season; then the styles that lost most to the gluing are
   re-planned inside the room all the others leave (``trade_room``) and the LP is solved again.

Work limits are counts; the time limit is a safety net that stops the LP rounds at
``LP_SHARE`` and the sweep at ``SWEEP_SHARE`` of the time, so the plan always has time.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverOptions
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.bundle import Bundle, groups_of
from flexsupply.solve.decompose.executors import Executor
from flexsupply.solve.decompose.linking import Partition, one_sided_links
from flexsupply.solve.decompose.lp_rounds import lp_rounds
from flexsupply.solve.decompose.primal import Clock, SearchState
from flexsupply.solve.decompose.residual import (
    JOINT_TOLERANCE,
    joint_plan,
    residual_plan,
    trade_room,
)
from flexsupply.solve.decompose.subproblems import Block, Task, priced_objective

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
SWEEP_SHARE = 0.75
"""No chunk of the MILP sweep starts after this share of the time limit; the plan gets the rest."""
SWEEP_GAP = 2e-3
"""Relative gap of each style's MILP in the sweep (its proven bound is what counts)."""
JOINT_SHARE = 0.25
"""Share of the time left after the sweep kept for the joint LP (``residual.joint_plan``)."""
CHUNK_TURNS = 4
"""A chunk of the sweep holds this many tasks per worker."""
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
        taken: styles whose sweep plan went into the plan unchanged.
    """

    lp_bound: float
    lp_rounds: int
    swept: int
    taken: int


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
    """Runs the three steps of the module docstring, updating ``state`` (bound, plan).

    Args:
        parts: the partition (maximisation form, linking rows scaled).
        blocks: its blocks.
        bundle: a fresh bundle for the partition.
        backend: the backend name the sweep's MILPs go to.
        sub_options: the subproblems' options (engine, nodes, seed; gap and time set here).
        state: the search state, updated in place.
        executor: runs the sweep's tasks (the blocks already loaded).
        began: the method's start on ``clock`` [seconds].
        deadline: the method's end on ``clock`` (inf without a limit) [seconds].
        clock: the time source [seconds].

    Returns:
        The ``ScaleReport``.
    """
    total = deadline - began
    bundle.group = groups_of(len(blocks), CUT_GROUPS)
    bundle.memory = CUT_MEMORY
    bundle.box = True
    mu = bundle.feasible_start(np.zeros(len(parts.linking_rows)))
    offset = parts.program.offset
    lp_stop = began + LP_SHARE * total if math.isfinite(total) else math.inf
    lp = lp_rounds(blocks, bundle, mu, offset, FIRST_STEP, lp_stop, clock)
    state.clock_stopped |= lp.clock_stopped
    state.iterations += lp.rounds
    state.evaluations += lp.rounds
    if not math.isfinite(lp.bound):
        return ScaleReport(math.nan, lp.rounds, 0, 0)
    state.bound = min(state.bound, lp.bound)
    state.lagrangian = min(state.lagrangian, lp.bound)
    mu = lp.mu
    values = lp.values.copy()
    candidates: list[FloatArray | None] = [None] * len(blocks)
    sweep_stop = began + SWEEP_SHARE * total if math.isfinite(total) else math.inf
    swept = _sweep(
        blocks, mu, backend, sub_options, executor, values, candidates, sweep_stop, clock, state
    )
    value = float(values.sum()) + bundle.h(mu) + offset
    state.bound = min(state.bound, value)
    state.lagrangian = min(state.lagrangian, value)
    left = deadline - clock()
    glue_stop = time.perf_counter() + (1.0 - JOINT_SHARE) * left
    plan = residual_plan(parts, blocks, candidates, mu, glue_stop)
    taken = 0
    if plan is not None:
        taken = plan.taken
        state.clock_stopped |= plan.time_limited
        _keep(parts, plan.x, state, "styles")
        side_by_side = plan.x.copy()
        for block, candidate in zip(blocks, candidates, strict=True):
            if candidate is not None:
                side_by_side[block.columns] = candidate
        end = time.perf_counter() + deadline - clock()
        joint = joint_plan(parts, [side_by_side, plan.x], end)
        if joint is not None:
            _keep(parts, joint[0], state, "joint LP")
            # The styles that lost most to the gluing take back the room the LP left free.
            half = time.perf_counter() + 0.5 * (end - time.perf_counter())
            traded, changed = trade_room(parts, blocks, joint[0], candidates, half)
            if changed:
                second = joint_plan(parts, [traded], end)
                _keep(parts, traded, state, "traded styles")
                if second is not None:
                    _keep(parts, second[0], state, "joint LP after trading")
    return ScaleReport(lp.bound, lp.rounds, swept, taken)


def _keep(parts: Partition, x: FloatArray, state: SearchState, found_by: str) -> None:
    """Makes ``x`` (partitioned columns) the plan when it is feasible and better."""
    original = x[: parts.n_original]
    whole = _original(parts)
    if whole.violation(original) <= JOINT_TOLERANCE and whole.value(original) > state.value:
        state.x, state.value, state.found_by = original, whole.value(original), found_by


def _sweep(
    blocks: list[Block],
    mu: FloatArray,
    backend: str,
    sub_options: SolverOptions,
    executor: Executor,
    values: FloatArray,
    candidates: list[FloatArray | None],
    stop: float,
    clock: Clock,
    state: SearchState,
) -> int:
    """Solves the styles' MILPs at ``mu`` chunk by chunk until ``stop``.

    Each style's proven MILP bound replaces its LP value in ``values`` (never raising it) and
    its solution becomes its candidate.

    Returns:
        How many styles were solved.
    """
    order = [k for k, block in enumerate(blocks) if len(block.columns)]
    size = CHUNK_TURNS * executor.slots
    done = 0
    for start in range(0, len(order), size):
        now = clock()
        if now >= stop:
            state.clock_stopped = True
            break
        chunk = order[start : start + size]
        turns = math.ceil((len(order) - start) / executor.slots)
        window = stop - now
        limit = None if math.isinf(window) else max(0.5, 3.0 * window / turns)
        options = replace(sub_options, gap=SWEEP_GAP, time_limit=limit)
        tasks = [Task(k, priced_objective(blocks[k], mu), backend, options) for k in chunk]
        for solution in executor.map(tasks):
            k = solution.block
            state.subproblem_seconds += solution.seconds
            if math.isfinite(solution.bound):
                values[k] = min(values[k], solution.bound)
            if len(solution.x) == len(blocks[k].columns):
                candidates[k] = solution.x
            done += 1
    return done


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
