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

HiGHS solves all of it straight from the arrays: the LP relaxation and the repair LP through
highspy, each style's subproblem through ``scipy.optimize.milp`` (half the time of a highspy
copy per subproblem, measured on spring-drop). Each subproblem is tiny; a modelling layer's
overhead per call would cost more than the solve.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverResult, Status
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.decompose.linking import partition
from flexsupply.solve.decompose.relaxation import lp_relaxation
from flexsupply.solve.decompose.subproblems import blocks_of

INTEGRALITY_TOLERANCE = 1e-9
"""An integer column of the LP optimum this close to a whole number counts as integral."""
METHOD = "by-style"
"""``SolverResult.method`` of a plan proven here."""
AUTO_MIN_INTEGERS = 200
"""Method ``auto`` tries the split on programs with at least this many integer columns; below,
one engine call is faster than the LP, the subproblems and the repair together."""
SUBPROBLEM_GAP_SHARE = 0.5
"""Each style's subproblem is solved to this share of the gap asked for, so that the sum of
their bounds leaves room for the repaired plan."""


@dataclass(frozen=True)
class StyleSplit:
    """What the split found, proven or not.

    Attributes:
        result: the proven plan (``method`` ``by-style``), or None when the repaired plan is
            not within the gap (or none was found in time).
        start: the repaired plan, a feasible solution of the whole program, or None.
        bound: L(μ), the Lagrangian bound in the program's sense, offset included [currency]
            (nan when a subproblem was not solved).
    """

    result: SolverResult | None
    start: FloatArray | None
    bound: float


def _seconds(deadline: Deadline) -> float | None:
    left = deadline.left()
    return None if left is None else max(left, 1e-3)


def _solve_block(
    objective: FloatArray, block: LinearProgram, gap: float, deadline: Deadline
) -> tuple[FloatArray, float] | None:
    """Returns ``(x, bound)`` of max objective·x over one block, or None if not solved."""
    if block.n_columns == 0:
        return np.zeros(0), 0.0
    left = _seconds(deadline)
    result = milp(
        -objective,
        constraints=LinearConstraint(block.matrix, block.row_lower, block.row_upper),
        bounds=Bounds(block.col_lower, block.col_upper),
        integrality=block.integer.astype(np.uint8),
        options={"mip_rel_gap": gap, **({} if left is None else {"time_limit": left})},
    )
    if result.status != 0:
        return None
    best = -float(result.fun)
    # milp minimises -objective: its dual bound, negated, bounds the maximum.
    dual_bound = getattr(result, "mip_dual_bound", None)
    if dual_bound is not None and math.isfinite(dual_bound):
        best = max(best, -float(dual_bound))
    return np.asarray(result.x, dtype=float), best


def _repair(
    program: LinearProgram, x: FloatArray, deadline: Deadline
) -> tuple[FloatArray, float] | None:
    """Returns the best plan with the integer columns fixed at ``x`` and its objective."""
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    ints = program.integer
    fixed = np.clip(np.round(x[ints]), lower[ints], upper[ints])
    lower[ints], upper[ints] = fixed, fixed
    lp = HighsCopy(replace(program, col_lower=lower, col_upper=upper), integer=False)
    if not lp.run(_seconds(deadline)):  # a feasible plan will do: the bound decides
        return None
    solution = np.clip(lp.values(), lower, upper)
    return solution, program.value(solution)


def by_style_first(program: LinearProgram, method: str) -> bool:
    """Returns whether a solve method tries the split before the whole program.

    ``monolithic`` never, ``decompose`` always, ``auto`` on programs of at least
    ``AUTO_MIN_INTEGERS`` integer columns.
    """
    if method == "monolithic":
        return False
    return method != "auto" or int(program.integer.sum()) >= AUTO_MIN_INTEGERS


def solve_by_style(program: LinearProgram, gap: float, deadline: Deadline) -> StyleSplit:
    """Solves ``program`` by relaxing its style-linking rows, and proves the plan or says not.

    Args:
        program: a program with column style tags (``build_program`` tags them), usually one
            demand sample with the first stage fixed.
        gap: relative gap the plan must be proven within, a fraction.
        deadline: every LP and subproblem gets the time left on it.

    Returns:
        The ``StyleSplit``: ``result`` is an ``optimal`` ``SolverResult`` (objective and bound
        in the program's sense, offset included [currency]) when proven, else None.
    """
    started = time.perf_counter()
    sign = 1.0 if program.maximize else -1.0
    split = partition(program)
    whole = split.program
    relaxation = lp_relaxation(whole, _seconds(deadline))
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
    repaired = _repair(program, x[: split.n_original], deadline)
    if repaired is None:
        return StyleSplit(None, None, sign * bound)
    plan, objective = repaired
    value = sign * objective
    best = sign * max(bound, value)
    if bound - value > gap * max(abs(value), 1.0):
        return StyleSplit(None, plan, best)
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
    return StyleSplit(result, plan, best)


__all__ = ["AUTO_MIN_INTEGERS", "METHOD", "StyleSplit", "by_style_first", "solve_by_style"]
