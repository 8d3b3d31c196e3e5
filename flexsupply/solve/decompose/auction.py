"""Styles whose plans do not fit are priced out of the factory-weeks others already fill.

At the best multipliers (the LP duals) many styles find the same factory-weeks equally cheap:
on 500x10x52x1 the sweep's plans asked for up to 5 times the minutes of some weeks, and in
value order only 184 of 320 fitted; the rest were glued into the room left, one style at a
time, and the styles glued last got little (``benchmarks/results/decompose-scale.md``).

``settle`` takes the plans that fit in order (the styles worth most first), then, round after
round, raises the price of every linking row the waiting styles ask more of than is left,

    μ'_i = μ'_i + RAISE · 2^r · p · (D_i − R_i) / D_i      where D_i > R_i,

(``p`` the largest multiplier, or without multipliers the median of what the waiting styles
earn per row unit they use, ``D`` the waiting styles' demand, ``R`` the room left, ``r`` the
round), and solves the waiting styles again at μ' on the executor, all at once; each round
takes, in order, the new plans that fit. The multipliers of the bound are not changed: this
is the plan side only. What is still waiting at the end is left to the glue
(``residual.residual_plan``), which plans it inside the room left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.solve.decompose.residual import FIT_TOLERANCE
from flexsupply.solve.decompose.subproblems import Block, BlockSolution, priced_objective

AUCTION_ROUNDS = 4
"""Rounds of re-priced solves at most (a work limit)."""
RAISE = 0.5
"""A short row's price rises by this share of the largest multiplier in the first round, in
proportion to its shortfall, and twice as much each round after."""
MIN_PRICE = 1.0
"""The largest multiplier counts as at least this [currency per scaled row unit]."""

Solve = Callable[[Sequence[int], Callable[[int], FloatArray]], Iterator[BlockSolution]]
"""Solves the named blocks at the given objectives (``chunks.run_chunks`` bound to a stop)."""


def settle(
    blocks: Sequence[Block],
    candidates: Sequence[FloatArray | None],
    order: Sequence[int],
    flip: FloatArray,
    room: FloatArray,
    mu: FloatArray,
    solve: Solve,
    rounds: int = AUCTION_ROUNDS,
) -> tuple[list[FloatArray | None], list[int], int]:
    """Returns per block a plan that fits beside the others where one was found, and the rounds.

    Args:
        blocks: the partition's blocks (maximisation form).
        candidates: per block, a plan of its own program (None: none yet).
        order: the styles, worth most first: plans are taken in this order.
        flip: each linking row's sign (``residual.room_rows``).
        room: each linking row's room, ``flip·(A x) ≤ room`` [scaled row units].
        mu: the multipliers the candidates were priced at [currency per scaled row unit].
        solve: solves blocks at objectives; stops on its own clock (a safety net).
        rounds: re-priced rounds at most.

    Returns:
        ``(plans, taken first, rounds run)``: the plans taken, jointly keeping every linking
        row, and for the styles still waiting their last plan (or None), which may not fit;
        the styles in the order their plans were taken, then those still waiting.
    """
    plans = list(candidates)
    left = room.copy()
    usage: dict[int, FloatArray] = {}
    worth: dict[int, float] = {}
    taken: list[int] = []

    def take(styles: Sequence[int]) -> list[int]:
        waiting = []
        for k in styles:
            plan = plans[k]
            if plan is None or len(plan) != len(blocks[k].columns):
                waiting.append(k)
                continue
            usage[k] = flip * np.asarray(blocks[k].link @ plan).ravel()
            worth[k] = float(blocks[k].program.objective @ plan)
            if np.all(usage[k] <= left + FIT_TOLERANCE):
                left[:] -= usage[k]
                taken.append(k)
            else:
                waiting.append(k)
        return waiting

    waiting = take(order)
    price = mu.copy()
    # The largest multiplier; without multipliers, what a waiting style earns per row unit it
    # uses (the median: a price below that moves no style).
    largest = float(np.max(np.abs(mu), initial=0.0))
    if largest < MIN_PRICE:
        earns = [
            worth[k] / float(np.sum(usage[k]))
            for k in waiting
            if k in usage and np.sum(usage[k]) > 0
        ]
        largest = max(float(np.median(earns)) if earns else 0.0, MIN_PRICE)
    done = 0
    # Styles without a plan yet are left to the glue: a round re-solves only plans that clash.
    unplanned = [k for k in waiting if k not in usage]
    waiting = [k for k in waiting if k in usage]
    while waiting and done < rounds:
        demand = sum((usage[k] for k in waiting), start=np.zeros(len(room)))
        short = (demand > left + FIT_TOLERANCE) & np.isfinite(left)
        if not short.any():
            break
        excess = (demand[short] - np.maximum(left[short], 0.0)) / demand[short]
        price[short] += flip[short] * RAISE * 2.0**done * largest * excess
        solved = {
            s.block: s.x
            for s in solve(waiting, _pricer(blocks, price.copy()))
            if len(s.x) == len(blocks[s.block].columns)
        }
        done += 1
        if not solved:
            break
        for k, x in solved.items():
            plans[k] = x
        waiting = take([k for k in waiting if k in solved]) + [
            k for k in waiting if k not in solved
        ]
        waiting = [k for k in waiting if k in usage]
    return plans, taken + waiting + unplanned, done


def _pricer(blocks: Sequence[Block], mu: FloatArray) -> Callable[[int], FloatArray]:
    """Returns the function giving block ``k``'s objective priced at ``mu`` [currency per unit]."""
    return lambda k: priced_objective(blocks[k], mu)
