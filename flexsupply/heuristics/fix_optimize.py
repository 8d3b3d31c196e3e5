"""Improve a plan by fix-and-optimise: re-plan one part at a time with the rest held fixed.

Helber & Sahling (2010, "A fix-and-optimize approach for the multi-level capacitated lot sizing
problem", Int. J. Production Economics 123) solve a series of small MIPs, each freeing the
integer decisions of one part of the problem and fixing the others at the incumbent. Like them,
this alternates kinds of parts (neighbourhoods): a few periods of every style (the orders of
those weeks move between factories and styles, within the factories' minutes), then a few
styles over the whole season (their orders move between weeks). Every other integer column
keeps its incumbent value and the continuous flows adjust everywhere. Each sub-MIP starts from
the incumbent, so a plan never gets worse.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import interrupt
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram

FREE_INTEGERS = 300
"""About how many integer columns one sub-MIP frees: parts are grouped up to this many (at
least one part per group). Larger sub-MIPs rarely finish within their share of time."""
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
    time_limited: bool = False
    """True when the deadline, not the end of the sweeps, stopped the search."""


def fix_and_optimize(
    program: LinearProgram,
    start: FloatArray,
    neighbourhoods: Sequence[IntArray],
    deadline: float,
    seed: int = 0,
    node_limit: int | None = None,
    max_sweeps: int | None = None,
) -> Improvement:
    """Returns a plan at least as good as ``start``, improved one part at a time.

    Each neighbourhood gives, for every column, the part it belongs to (a period, a style; -1
    for integer columns that stay fixed, such as supplier selection). A sweep visits every
    neighbourhood in turn and, within one, its parts in a seeded random order, grouped up to
    ``FREE_INTEGERS`` free integer columns. Sweeps repeat until one improves nothing or
    ``deadline`` (a ``time.perf_counter()`` value) passes. A neighbourhood whose one group would
    be the whole MIP is skipped: improving that is the engine's job.

    With ``node_limit`` each sub-MIP stops after that many branch-and-bound nodes instead of
    at its share of the time left, and ``deadline`` is only a safety net: the same input then
    gives the same plan however busy the machine is (``time_limited`` says when the clock
    ended the search after all). ``max_sweeps`` bounds the number of sweeps.
    """
    better = -1.0 if program.maximize else 1.0
    best, best_value = start, program.value(start)
    integer = np.flatnonzero(program.integer)
    rng = np.random.default_rng(seed)
    owners = [part_of_column[integer] for part_of_column in neighbourhoods]
    owners = [owner for owner in owners if _splits(owner)]
    if not owners:
        return Improvement(best, best_value, 0, 0)
    mip = HighsCopy(program, integer=True)
    mip.set_option("mip_rel_gap", 1e-4)
    if node_limit is not None:
        mip.set_option("mip_max_nodes", node_limit)
    solved = improved = sweeps = 0
    while interrupt.time_left(deadline) and (max_sweeps is None or sweeps < max_sweeps):
        sweeps += 1
        sweep_improved = False
        for owner in owners:
            groups = _groups(owner, rng)
            for number, members in enumerate(groups):
                left = deadline - time.perf_counter()
                if not interrupt.time_left(deadline):
                    break
                free = np.isin(owner, members)
                fixed, freed = integer[~free], integer[free]
                values = np.round(best[fixed])
                mip.set_bounds(fixed, values, values)
                mip.reset_bounds(freed)
                share = max(left / (len(groups) - number), MIN_SUBPROBLEM_SECONDS)
                found = mip.run(left if node_limit is not None else min(share, left), start=best)
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
    return Improvement(
        best, best_value, solved, improved, time_limited=not interrupt.time_left(deadline)
    )


def _splits(owner: IntArray) -> bool:
    """Returns whether the parts of ``owner`` make more than one group of free columns."""
    sizes = np.bincount(owner[owner >= 0])
    return int((sizes > 0).sum()) > 1 and int(sizes.sum()) > FREE_INTEGERS


def _groups(owner: IntArray, rng: np.random.Generator) -> list[IntArray]:
    """Returns the parts of ``owner`` in random order, packed into groups of free columns.

    A group holds about ``FREE_INTEGERS`` integer columns; a part larger than that is a group of
    its own.
    """
    sizes = np.bincount(owner[owner >= 0])
    parts = rng.permutation(np.flatnonzero(sizes))
    groups: list[list[int]] = [[]]
    count = 0
    for part in parts:
        if groups[-1] and count + sizes[part] > FREE_INTEGERS:
            groups.append([])
            count = 0
        groups[-1].append(int(part))
        count += int(sizes[part])
    return [np.asarray(group, dtype=np.int64) for group in groups]
