"""One demand sample's recourse, solved style by style with a proof of optimality.

With the first stage fixed and the demand of one sample known, a season's recourse falls apart
into one small lot-sizing problem per style, joined only by the rows that link styles: factory
capacity, cash and its credit line, the warehouse (found from the column style tags by
``decompose.partition``, never named here). Relaxing those rows with multipliers μ gives, for
any μ of the right signs, an upper bound (Lagrangian duality; Geoffrion 1974)::

    z ≤ L(μ) = Σ_k max{(c_k − A_Lkᵀ μ)·x_k : x_k ∈ X_k} + Σ_i μ_i·b_i

where b_i is the bound of linking row i that μ_i prices. μ is taken from the duals of the
sample's LP relaxation, so L(μ) is at least as tight as the LP bound and, on these seasons,
within a few units of the optimum. A plan comes from fixing each style's on/off decisions
(order switches, price tiers) at its subproblem optimum and solving the LP that is left over the
whole sample (capacity, cash and warehouse now exact). When that plan is within the gap of
L(μ) it is optimal up to the gap, proven; otherwise ``solve_by_style`` returns None with the
plan as a warm start, and the caller solves the whole MILP.

When the repaired plan is not within the gap, the switches the split left off (and the LP left
at zero) stay off and the rest are chosen by one MILP over the whole sample, started from the
repaired plan and limited to ``POLISH_NODES`` nodes (deterministic); only when that plan is still
not proven does the caller solve the whole MILP.

HiGHS solves all of it straight from the arrays, through highspy, whatever backend the settings
name (the backends are for the whole MILP, which the caller solves through the chosen one): the
LP relaxation, then the repair as a warm re-solve of that same LP with the switches fixed, and
each style's subproblem as its own small MILP with the root heuristics that cost more than they
find here switched off (``BLOCK_OPTIONS``). Each subproblem is tiny; a modelling layer's
overhead per call would cost more than the solve.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverResult, Status, get_backend
from flexsupply.heuristics.highs import HighsCopy, new_highs
from flexsupply.model.program import LinearProgram
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.decompose.linking import Partition, partition
from flexsupply.solve.decompose.relaxation import relaxation_of
from flexsupply.solve.decompose.subproblems import blocks_of
from flexsupply.solve.settings import SolveSettings

INTEGRALITY_TOLERANCE = 1e-9
"""An integer column of the LP optimum this close to a whole number counts as integral."""
METHOD = "by-style"
"""``SolverResult.method`` of a plan proven here."""
AUTO_MIN_INTEGERS = 200
"""Method ``auto`` tries the split on programs with at least this many integer columns; below,
one engine call is faster than the LP, the subproblems and the repair together."""
SUBPROBLEM_GAP_SHARE = 0.01
"""Each style's subproblem is solved to this share of the gap asked for, so that the sum of
their bounds leaves the gap to the repaired plan (HiGHS closes them at the root: a tight gap
costs about 1 ms a subproblem on spring-drop)."""
BLOCK_OPTIONS: dict[str, bool] = {
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_allow_restart": False,
}
"""HiGHS options of each style's subproblem: heuristics and restarts that cost more than they
find on problems this small (spring-drop: 12.5 ms a subproblem against 44 ms with the defaults
and 30 ms through ``scipy.optimize.milp``; same optima, same bounds). The bound stays proven."""
POLISH_NODES = 500
"""Node limit of the MILP that polishes an unproven repaired plan (a node limit, not a time
limit, keeps the result the same on any machine)."""


@dataclass(frozen=True)
class StyleSplit:
    """What the split found, proven or not.

    Attributes:
        result: the proven plan (``method`` ``by-style``), or None when the repaired plan is
            not within the gap (or none was found in time).
        start: the repaired plan, a feasible solution of the whole program, or None.
        bound: L(μ), the Lagrangian bound in the program's sense, offset included [currency]
            (nan when a subproblem was not solved).
        glued: the styles' own solutions side by side (the linking rows may be broken), or
            None when a subproblem was not solved.
    """

    result: SolverResult | None
    start: FloatArray | None
    bound: float
    glued: FloatArray | None = None


def _seconds(deadline: Deadline) -> float | None:
    left = deadline.left()
    return None if left is None else max(left, 1e-3)


@functools.cache
def _block_solver() -> Any:
    """Returns this process's HiGHS for the style subproblems, ``BLOCK_OPTIONS`` set.

    Each subproblem replaces the model of the last: a new solver costs more than a small MILP's
    setup.
    """
    highs = new_highs()
    for name, value in BLOCK_OPTIONS.items():
        highs.setOptionValue(name, value)
    return highs


def _solve_block(
    objective: FloatArray, block: LinearProgram, gap: float, deadline: Deadline
) -> tuple[FloatArray, float] | None:
    """Returns ``(x, bound)`` of max objective·x over one block, or None if not solved."""
    if block.n_columns == 0:
        return np.zeros(0), 0.0
    priced = replace(block, objective=objective, maximize=True, offset=0.0)
    mip = HighsCopy(priced, integer=True, highs=_block_solver())
    mip.set_option("mip_rel_gap", gap)
    if not mip.run(_seconds(deadline)):
        return None
    info = mip.highs.getInfo()
    # HiGHS minimised −objective: its dual bound, negated, bounds the maximum.
    best, bound = -float(info.objective_function_value), -float(info.mip_dual_bound)
    if not math.isfinite(bound):
        return None
    return mip.values(), max(best, bound)


def _repair(
    program: LinearProgram, lp: HighsCopy, split: Partition, x: FloatArray, deadline: Deadline
) -> tuple[FloatArray, float] | None:
    """Returns the best plan of ``program`` with its integer columns fixed at ``x``, and its value.

    ``lp`` holds the LP relaxation of ``split.program`` just solved: the re-solve starts from
    its basis. Its bounds are given back before returning.
    """
    whole = split.program
    ints = np.flatnonzero(whole.integer)
    fixed = np.round(split.extend(x[: split.n_original])[ints])
    fixed = np.clip(fixed, whole.col_lower[ints], whole.col_upper[ints])
    lp.set_bounds(ints, fixed, fixed)
    solved = lp.run(_seconds(deadline))  # a feasible plan will do: the bound decides
    solution = np.clip(lp.values(), whole.col_lower, whole.col_upper)
    lp.reset_bounds(ints)
    if not solved:
        return None
    solution[ints] = fixed
    plan = solution[: split.n_original]
    return plan, program.value(plan)


def _polish(
    program: LinearProgram,
    plan: FloatArray,
    keep: np.ndarray,
    gap: float,
    deadline: Deadline,
) -> tuple[FloatArray, float] | None:
    """Returns a plan of ``program`` at least as good as ``plan``, and its value, or None.

    Integer columns outside ``keep`` stay as in ``plan``; the others are chosen by a MILP
    started from ``plan`` (at most ``POLISH_NODES`` nodes).
    """
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    held = program.integer & ~keep
    lower[held] = upper[held] = np.clip(np.round(plan[held]), lower[held], upper[held])
    mip = HighsCopy(replace(program, col_lower=lower, col_upper=upper), integer=True)
    mip.set_option("mip_rel_gap", gap)
    mip.set_option("mip_max_nodes", POLISH_NODES)
    if not mip.run(_seconds(deadline), start=plan):
        return None
    solution = np.clip(mip.values(), lower, upper)
    return solution, program.value(solution)


def by_style_first(program: LinearProgram, method: str) -> bool:
    """Returns whether a solve method tries the split before the whole program.

    ``monolithic`` never, ``decompose`` always, ``auto`` on programs of at least
    ``AUTO_MIN_INTEGERS`` integer columns.
    """
    if method == "monolithic":
        return False
    return method != "auto" or int(program.integer.sum()) >= AUTO_MIN_INTEGERS


def solve_by_style(
    program: LinearProgram, gap: float, deadline: Deadline, polish: bool = True
) -> StyleSplit:
    """Solves ``program`` by relaxing its style-linking rows, and proves the plan or says not.

    Args:
        program: a program with column style tags (``build_program`` tags them), usually one
            demand sample with the first stage fixed.
        gap: relative gap the plan must be proven within, a fraction.
        deadline: every LP and subproblem gets the time left on it.
        polish: polish a repaired plan that is not within the gap (False: the bound and the
            repaired plan are all that is wanted).

    Returns:
        The ``StyleSplit``: ``result`` is an ``optimal`` ``SolverResult`` (objective and bound
        in the program's sense, offset included [currency]) when proven, else None.
    """
    started = time.perf_counter()
    sign = 1.0 if program.maximize else -1.0
    split = partition(program)
    whole = split.program
    lp = HighsCopy(whole, integer=False)
    relaxation = relaxation_of(lp, _seconds(deadline))
    if math.isnan(relaxation.bound):
        return StyleSplit(None, None, math.nan)
    links = split.linking_rows
    lower, upper = whole.row_lower[links], whole.row_upper[links]
    # Work in the sense of max sign·c·x: the duals price c − Aᵀμ.
    mu = sign * relaxation.duals[links]
    # A multiplier may only price a row on a side that has a bound.
    mu = np.where(np.isfinite(upper), mu, np.minimum(mu, 0.0))
    mu = np.where(np.isfinite(lower), mu, np.maximum(mu, 0.0))
    priced = sign * whole.objective - whole.matrix.tocsr()[links].T @ mu
    x = np.zeros(whole.n_columns)
    bound = float(mu @ np.where(mu > 0, upper, np.where(mu < 0, lower, 0.0)))
    fractional = np.abs(relaxation.x - np.round(relaxation.x)) > INTEGRALITY_TOLERANCE
    fractional &= whole.integer
    for block in blocks_of(split):
        if not fractional[block.columns].any():
            # At the LP duals the LP optimum is optimal for every priced block's relaxation;
            # where it is integral it solves the block's MILP too.
            x[block.columns] = relaxation.x[block.columns]
            bound += float(priced[block.columns] @ relaxation.x[block.columns])
            continue
        solved = _solve_block(
            priced[block.columns], block.program, gap * SUBPROBLEM_GAP_SHARE, deadline
        )
        if solved is None:
            return StyleSplit(None, None, math.nan)
        x[block.columns], block_bound = solved
        bound += block_bound
    bound += sign * program.offset
    glued = x[: split.n_original]
    repaired = _repair(program, lp, split, x, deadline)
    if repaired is None:
        return StyleSplit(None, None, sign * bound, glued)
    plan, objective = repaired
    if polish and bound - sign * objective > gap * max(abs(objective), 1.0):
        # Switches some style wanted, or the LP used, may be chosen again; the rest stay off.
        keep = (plan > 0.5) | (relaxation.x[: split.n_original] > INTEGRALITY_TOLERANCE)
        polished = _polish(program, plan, keep, gap, deadline)
        if polished is not None and sign * polished[1] > sign * objective:
            plan, objective = polished
    value = sign * objective
    best = sign * max(bound, value)
    if bound - value > gap * max(abs(value), 1.0):
        return StyleSplit(None, plan, best, glued)
    result = SolverResult(
        status=Status.OPTIMAL,
        objective=objective,
        bound=best,
        x=plan,
        seconds=time.perf_counter() - started,
        backend="highspy",
        engine="highs",
        message=f"proven by style: {split.n_blocks - 1} styles, {len(links)} linking rows",
        method=METHOD,
    )
    return StyleSplit(result, plan, best, glued)


def split_then_whole(
    program: LinearProgram, settings: SolveSettings, deadline: Deadline, split: bool
) -> SolverResult:
    """Solves ``program`` style by style when ``split`` and ``by_style_first`` allow it.

    When the split's plan is not proven within the gap, the backend solves the whole program
    from it, with the time left on ``deadline``.

    Returns:
        The ``SolverResult``: objective and bound in the program's sense [currency]; it may
        have no plan (see its status).
    """
    start = None
    if split and by_style_first(program, settings.method):
        by_style = solve_by_style(program, settings.effective_gap, deadline)
        if by_style.result is not None:
            return by_style.result
        start = by_style.start
    backend = get_backend(settings.backend)
    return backend.solve(program, settings.options(deadline), start=start)


__all__ = [
    "AUTO_MIN_INTEGERS",
    "METHOD",
    "StyleSplit",
    "by_style_first",
    "solve_by_style",
    "split_then_whole",
]
