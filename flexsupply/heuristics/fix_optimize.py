"""Improve a plan by fix-and-optimise: re-plan a few styles at a time with the rest held fixed.

Helber & Sahling (2010, "A fix-and-optimize approach for the multi-level capacitated lot sizing
problem", Int. J. Production Economics 123) solve a series of small MIPs, each freeing the
integer decisions of one part of the problem and fixing the others at the incumbent. Here a
part is a group of styles: their switches (and integer quantities) are free, every other
integer column keeps its incumbent value, and the continuous flows adjust everywhere. Each
sub-MIP starts from the incumbent, so a plan never gets worse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram

FREE_INTEGERS = 300
"""About how many integer columns one sub-MIP frees: styles are grouped up to this many
(at least one style per group). Larger sub-MIPs rarely finish within their share of time."""
MIN_SUBPROBLEM_SECONDS = 0.5
"""A sub-MIP gets at least this long [seconds] (or what is left of the budget)."""


@dataclass(frozen=True)
class Improvement:
    """The best plan fix-and-optimise found, and how it got there."""

    x: FloatArray
    objective: float
    """Objective of ``x``, offset included [currency]."""
    subproblems: int
    """Sub-MIPs solved."""
    improved: int
    """Sub-MIPs that found a better plan."""


def fix_and_optimize(
    program: LinearProgram,
    start: FloatArray,
    group_of_column: IntArray,
    deadline: float,
    seed: int = 0,
) -> Improvement:
    """Returns a plan at least as good as ``start``, improved one group of styles at a time.

    ``group_of_column[j]`` is the style (0-based) integer column ``j`` belongs to, -1 for integer
    columns that stay fixed (supplier selection). Groups are visited in a seeded random order,
    sweep after sweep, until a whole sweep improves nothing or ``deadline`` (a
    ``time.perf_counter()`` value) passes. A program small enough to be one group is returned
    as it is: improving it is the engine's job.
    """
    better = -1.0 if program.maximize else 1.0
    best, best_value = start, program.value(start)
    integer = np.flatnonzero(program.integer)
    owner = group_of_column[integer]
    styles = np.unique(owner[owner >= 0])
    if not len(styles):
        return Improvement(best, best_value, 0, 0)
    group_size = max(1, FREE_INTEGERS * len(styles) // max(len(owner[owner >= 0]), 1))
    if group_size >= len(styles):
        return Improvement(best, best_value, 0, 0)  # one group is the whole MIP: the engine's job
    mip = HighsCopy(program, integer=True)
    mip.set_option("mip_rel_gap", 1e-4)
    rng = np.random.default_rng(seed)
    solved = improved = 0
    while time.perf_counter() < deadline:
        order = rng.permutation(styles)
        groups = [order[i : i + group_size] for i in range(0, len(order), group_size)]
        sweep_improved = False
        for number, members in enumerate(groups):
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            fixed = integer[~np.isin(owner, members)]
            freed = integer[np.isin(owner, members)]
            values = np.round(best[fixed])
            mip.set_bounds(fixed, values, values)
            mip.reset_bounds(freed)
            share = max(left / (len(groups) - number), MIN_SUBPROBLEM_SECONDS)
            found = mip.run(min(share, left), start=best)
            solved += 1
            if not found:
                continue
            x = mip.values()
            value = program.value(x)
            if better * (best_value - value) > 1e-9 * max(1.0, abs(best_value)):
                best, best_value = x, value
                improved += 1
                sweep_improved = True
        if not sweep_improved:
            break
    return Improvement(best, best_value, solved, improved)
