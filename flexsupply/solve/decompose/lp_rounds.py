"""The Lagrangian of the blocks' LP relaxations: cheap rounds for seasons of thousands of styles.

On a season of 500 styles the LP relaxation of the whole program (386,000 rows) took 130 s,
and one round of per-style MILPs 200+ core-seconds: neither leaves time for a plan. Relaxing
the linking rows splits the LP relaxation too: with multipliers μ,

    F_LP(μ) = Σ_k max{(c_k − A_Lkᵀ μ)·x_k : x_k in the LP relaxation of X_k} + h(μ)

bounds the LP optimum, hence the MIP optimum, from above for every μ (each block's LP optimum
is at least its MIP optimum), and its minimum over μ is the LP bound. Each block keeps its
LP basis between rounds, so a round re-prices the objectives and re-solves from the last basis
(a few milliseconds a style). The bundle method (``bundle.py``, cuts aggregated by
groups of styles) moves μ; the best μ then prices the MILP rounds and the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray
from flexsupply.heuristics.highs import HighsCopy, load_highspy, new_highs
from flexsupply.solve.decompose.bundle import Bundle
from flexsupply.solve.decompose.primal import Clock
from flexsupply.solve.decompose.subproblems import Block

LP_ROUNDS = 40
"""Rounds of block LPs at most: a work limit (the time limit is only a safety net)."""
LP_CONVERGED = 1e-5
"""The LP rounds stop when the bundle model predicts less than this relative fall."""


@dataclass
class LpRounds:
    """What the rounds of block LPs found.

    Attributes:
        bound: the best F_LP(μ), a valid bound on the program (offset included) [currency];
            inf before any round.
        mu: the multipliers where it was reached.
        values: each block's priced LP optimum there [currency].
        x: each block's LP solution there (in the block's columns).
        rounds: rounds evaluated.
        clock_stopped: the safety net (not the work limit) ended the rounds.
        own: per round, each block's own objective ``c_k·x_k`` at its LP solution [currency].
        usage: per round, each block's use of the linking rows ``A_Lk x_k``, one column per
            block (``n_linking × n_blocks``): with ``own``, the columns of the shares' master
            (``shares.py``).
    """

    bound: float = math.inf
    mu: FloatArray = field(default_factory=lambda: np.zeros(0))
    values: FloatArray = field(default_factory=lambda: np.zeros(0))
    x: list[FloatArray] = field(default_factory=list)
    rounds: int = 0
    clock_stopped: bool = False
    own: list[FloatArray] = field(default_factory=list)
    usage: list[sp.csc_matrix] = field(default_factory=list)


class BlockLps:
    """Every block's LP relaxation, re-priced each round and started from its last basis.

    One HiGHS holds one block at a time; each block keeps only its basis between rounds. Every
    block loaded in its own HiGHS took 1.3 MB a style at 2000x20x26x2 after its first solve
    (2.6 GB for 2,001 styles, about ten times that at 20 scenarios,
    ``benchmarks/results/decompose-scale.md``); loading a block takes milliseconds, and its
    basis restarts the simplex where the last round ended.
    """

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.highs = new_highs()
        self.bases: list[Any] = [None] * len(blocks)

    def evaluate(self, mu: FloatArray) -> tuple[FloatArray, list[FloatArray]] | None:
        """Returns each block's priced LP optimum at ``mu`` and its solution.

        Returns:
            ``(values, solutions)`` [currency, block columns], or None when some block's LP is
            not solved to optimality (unbounded at these μ, or numerical trouble).
        """
        optimal = load_highspy().HighsModelStatus.kOptimal
        values = np.zeros(len(self.blocks))
        solutions: list[FloatArray] = []
        for k, block in enumerate(self.blocks):
            if not block.program.n_columns:
                solutions.append(np.zeros(0))
                continue
            priced = np.asarray(block.program.objective - block.link.T @ mu, dtype=np.float64)
            copy = HighsCopy(replace(block.program, objective=priced), highs=self.highs)
            if self.bases[k] is not None:
                self.highs.setBasis(self.bases[k])
            copy.run()
            if self.highs.getModelStatus() != optimal:
                return None
            self.bases[k] = self.highs.getBasis()
            x = copy.values()
            values[k] = float(priced @ x)
            solutions.append(x)
        return values, solutions


def lp_rounds(
    blocks: list[Block],
    bundle: Bundle,
    mu: FloatArray,
    offset: float,
    first_step: float,
    stop: float,
    clock: Clock,
    rounds: int = LP_ROUNDS,
) -> LpRounds:
    """Moves μ by the bundle method over the blocks' LP relaxations, from ``mu``.

    Args:
        blocks: the partition's blocks (maximisation form).
        bundle: a fresh bundle (its cuts are of F_LP and must not be reused for the MIP).
        mu: the first multipliers (inside their sign bounds).
        offset: the program's objective offset [currency].
        first_step: share of μ's size the first step moves (``bundle.first_step``).
        stop: no round starts past this time on ``clock`` (a safety net) [seconds].
        clock: the time source [seconds].
        rounds: rounds at most.

    Returns:
        The ``LpRounds``; ``bound`` stays inf when the first round failed.
    """
    found = LpRounds(mu=mu)
    lps = BlockLps(blocks)
    predicted = math.inf
    last = 0.0
    while found.rounds < rounds:
        began = clock()
        if found.rounds and began + last >= stop:
            found.clock_stopped = True
            break
        evaluated = lps.evaluate(mu)
        if evaluated is None:
            break
        values, solutions = evaluated
        found.rounds += 1
        used = np.zeros(len(mu))
        own = np.zeros(len(blocks))
        slopes = []
        for k, (block, x) in enumerate(zip(blocks, solutions, strict=True)):
            slope = np.asarray(block.link @ x).ravel() if len(x) else np.zeros(len(mu))
            own[k] = float(block.program.objective @ x) if len(x) else 0.0
            bundle.add_cut(k, own[k], slope)
            used += slope
            slopes.append(sp.csc_matrix(slope.reshape(-1, 1)))
        found.own.append(own)
        found.usage.append(sp.hstack(slopes, format="csc") if slopes else sp.csc_matrix((0, 0)))
        value = float(values.sum()) + bundle.h(mu) + offset
        if value < found.bound:
            found.bound, found.mu, found.values, found.x = value, mu, values, solutions
        bundle.serious(mu, value, predicted)
        if found.rounds == 1:
            bundle.set_step(bundle.first_step(mu, value, used, first_step))
        step = bundle.next_point()
        last = clock() - began
        if step is None:
            break
        mu, predicted = step[0], step[1] + offset
        if bundle.centre_value - predicted <= LP_CONVERGED * max(abs(bundle.centre_value), 1.0):
            break
    return found
