"""A proximal bundle method for the Lagrangian dual (Kiwiel 1990; Frangioni 2002).

In maximisation form, with multipliers μ on the linking rows ``l ≤ A_L x ≤ u``, the dual
function

    F(μ) = Σ_k max_{x_k ∈ X_k} (c_k − A_Lk^T μ)·x_k + h(μ),   h(μ) = Σ_i max(μ_i u_i, μ_i l_i)

bounds the optimum from above for every μ, and is convex. Each evaluation gives, per block k,
a solution x_k^j, hence the cut ``F_k(μ) ≥ c_k·x_k^j − (A_Lk x_k^j)·μ``. The next μ minimises
the disaggregated cutting-plane model plus ``‖μ − μ̂‖² / 2t`` around the stability centre μ̂
(a small convex QP, solved by HiGHS). The centre moves only when the true decrease is at least
a share of the predicted one (serious step); otherwise the new cuts refine the model (null
step). μ is kept where every block stays bounded: ``μ_i ≥ 0`` on rows without a lower side,
``≤ 0`` without an upper side, and, for a block column that no own row bounds, the sign of its
priced cost in the direction it may grow (``recession`` rows).

At thousands of styles the disaggregated model is too big a QP (2,001 cuts a round did not
solve in 80 CPU-seconds): blocks then share their model variable by ``group`` (one cut per
group and evaluation, the sum of its blocks' cuts: still valid, only coarser), only the last
``memory`` evaluations' cuts are kept (and the centre's), and when the QP fails the next point
is a projected subgradient step from the centre, so the multiplier update stays cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.errors import SolveError
from flexsupply.heuristics.highs import load_highspy, new_highs
from flexsupply.solve.decompose.linking import Partition
from flexsupply.solve.decompose.subproblems import Block

SERIOUS_SHARE = 0.01
"""A step is serious when the bound falls by at least this share of the predicted fall."""
MIN_STEP = 1e-6
"""Proximal step t is kept within [MIN_STEP, MAX_STEP] times its first value."""
MAX_STEP = 1e6
QP_ITERATIONS = 5_000
"""Iterations of the master QP before the subgradient step replaces it."""
QP_SECONDS = 30.0
"""Safety net of the master QP [seconds]."""


def groups_of(n_blocks: int, n_groups: int) -> IntArray:
    """Returns the group of each block: ``n_groups`` runs of consecutive blocks of even size.

    Returns:
        ``(n_blocks,)`` group numbers in ``0..min(n_blocks, n_groups) - 1``, ascending.
    """
    n_groups = max(1, min(n_blocks, n_groups))
    return (np.arange(n_blocks) * n_groups) // max(n_blocks, 1)


@dataclass
class Bundle:
    """The multipliers' search state.

    Attributes:
        lower, upper: bounds of μ per linking row (sign conditions).
        row_lower, row_upper: the linking rows' own bounds (for h).
        recession: rows ``R μ`` with bounds ``recession_lower ≤ R μ ≤ recession_upper`` that keep
            unbounded block columns from growing (may have no rows).
        n_blocks: blocks of the partition.
        centre: μ̂, the best multipliers so far; ``centre_value`` F there (inf before any).
        step: the proximal step t.
        group: the model variable (group) of each block (default: one per block).
        memory: evaluations whose cuts are kept (None: all); the centre's are always kept.
        box: the trust-region variant: the next μ minimises the cutting-plane model inside the
            box ``|μ − μ̂| ≤ t`` (an LP, no quadratic term); ``step`` is then the box's half-width.
    """

    lower: FloatArray
    upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    recession: sp.csr_matrix
    recession_lower: FloatArray
    recession_upper: FloatArray
    n_blocks: int
    centre: FloatArray
    centre_value: float = math.inf
    step: float = 1.0
    group: IntArray | None = None
    memory: int | None = None
    box: bool = False
    _first_step: float = 0.0
    _round: int = 0
    _centre_round: int = -1
    _centre_slope: FloatArray | None = None
    _pending: dict[int, tuple[float, FloatArray, int]] = field(default_factory=dict)
    _cut_round: list[int] = field(default_factory=list)
    _cut_block: list[int] = field(default_factory=list)
    _cut_constant: list[float] = field(default_factory=list)
    _cut_slope: list[FloatArray] = field(default_factory=list)

    @property
    def n_groups(self) -> int:
        """Returns the number of model variables θ (groups of blocks)."""
        return self.n_blocks if self.group is None else int(self.group.max(initial=-1)) + 1

    def h(self, mu: FloatArray) -> float:
        """Returns ``Σ_i max(μ_i u_i, μ_i l_i)`` with an infinite side read as unused."""
        up = np.where(np.isfinite(self.row_upper), self.row_upper, 0.0)
        low = np.where(np.isfinite(self.row_lower), self.row_lower, 0.0)
        return float(np.sum(np.where(mu > 0, mu * up, mu * low)))

    def add_cut(self, block: int, constant: float, slope: FloatArray) -> None:
        """Adds ``F_k(μ) ≥ constant − slope·μ`` for block ``block`` (slope = A_Lk x_k).

        The cuts of one evaluation are summed per group; ``serious`` closes the evaluation.
        """
        key = block if self.group is None else int(self.group[block])
        slope = np.asarray(slope, dtype=float).ravel()
        before = self._pending.get(key)
        count = 1
        if before is not None:
            constant, slope, count = before[0] + constant, before[1] + slope, before[2] + 1
        self._pending[key] = (constant, slope, count)

    def cuts(self) -> int:
        """Returns the number of cuts the model holds (the current evaluation's included)."""
        return len(self._cut_block) + len(self._pending)

    def _close_round(self) -> FloatArray | None:
        """Moves the pending cuts into the model; returns the sum of their slopes."""
        if not self._pending:
            return None
        total = np.zeros(len(self.centre))
        sizes = (
            np.ones(self.n_blocks, dtype=np.int64)
            if self.group is None
            else np.bincount(self.group, minlength=self.n_groups)
        )
        for key in sorted(self._pending):
            constant, slope, count = self._pending[key]
            total += slope
            if count < sizes[key]:
                # A block of the group gave no solution: the partial sum bounds nothing.
                continue
            self._cut_round.append(self._round)
            self._cut_block.append(key)
            self._cut_constant.append(constant)
            self._cut_slope.append(slope)
        self._pending = {}
        self._round += 1
        return total

    def _forget(self) -> None:
        """Drops the cuts older than ``memory`` evaluations, except the centre's."""
        if self.memory is None:
            return
        oldest = self._round - self.memory
        keep = [i for i, r in enumerate(self._cut_round) if r >= oldest or r == self._centre_round]
        if len(keep) == len(self._cut_round):
            return
        self._cut_round = [self._cut_round[i] for i in keep]
        self._cut_block = [self._cut_block[i] for i in keep]
        self._cut_constant = [self._cut_constant[i] for i in keep]
        self._cut_slope = [self._cut_slope[i] for i in keep]

    def feasible_start(self, mu: FloatArray) -> FloatArray:
        """Returns ``mu`` clipped to its sign bounds and projected onto the recession rows."""
        mu = np.clip(mu, self.lower, self.upper)
        if self.recession.shape[0] == 0:
            return mu
        return self._solve(mu, with_cuts=False)[0]

    def serious(self, mu: FloatArray, value: float, predicted: float) -> bool:
        """Records F(μ) = ``value`` at the last trial point; moves the centre on a serious step.

        The cuts added since the last call form this evaluation.

        Returns:
            Whether the step was serious.
        """
        this_round = self._round
        slope = self._close_round()
        if not math.isfinite(self.centre_value):
            self._move_centre(mu, value, this_round, slope)
            return True
        expected = self.centre_value - predicted
        if value <= self.centre_value - SERIOUS_SHARE * max(expected, 0.0):
            gain = (self.centre_value - value) / max(expected, 1e-12)
            self._move_centre(mu, value, this_round, slope)
            if gain > 0.5:
                self.step = min(self.step * 2.0, MAX_STEP * self._first_step)
            return True
        self.step = max(self.step / 2.0, MIN_STEP * self._first_step)
        return False

    def _move_centre(
        self, mu: FloatArray, value: float, round_: int, slope: FloatArray | None
    ) -> None:
        """Makes ``mu`` the stability centre, with the evaluation's total slope."""
        self.centre, self.centre_value = mu, value
        self._centre_round, self._centre_slope = round_, slope

    def first_step(self, mu: FloatArray, value: float, used: FloatArray, share: float) -> float:
        """Returns a first step t that moves μ by about ``share`` of its size.

        Args:
            mu: the multipliers of the first evaluation.
            value: F there [currency].
            used: the linking rows' usage there, ``Σ_k A_Lk x_k``.
            share: how far the first step goes, as a share of ``‖μ‖`` (or of a size read
                from ``value`` when μ is zero).
        """
        low, up = self.row_lower, self.row_upper
        side = np.where(np.isfinite(up), up, np.where(np.isfinite(low), low, 0.0))
        slope = side - used
        if self.box:
            return share * max(float(np.max(np.abs(mu), initial=0.0)), _unit(value, len(mu)))
        size = max(float(np.linalg.norm(mu)), _unit(value, len(mu)))
        return share * size / max(float(np.linalg.norm(slope)), 1e-9)

    def set_step(self, step: float) -> None:
        """Sets the first proximal step t."""
        self.step = self._first_step = max(step, 1e-12)

    def next_point(self) -> tuple[FloatArray, float] | None:
        """Returns the next trial multipliers and the model's predicted F there.

        Returns:
            ``(μ, predicted F)``; when HiGHS cannot solve the master QP (numerical trouble) a
            projected subgradient step from the centre instead, and None when there is no
            subgradient either; the bound found so far stays valid.
        """
        self._close_round()
        self._forget()
        try:
            return self._solve(self.centre, with_cuts=True)
        except SolveError:
            return self.subgradient_step()

    def subgradient_step(self) -> tuple[FloatArray, float] | None:
        """Returns ``μ̂ − t·g`` projected on the sign bounds, g a subgradient of F at the centre.

        Returns:
            ``(μ, predicted F)`` by the linearisation at the centre, or None without one.
        """
        if self._centre_slope is None:
            return None
        slope = self._centre_slope
        up = np.where(np.isfinite(self.row_upper), self.row_upper, 0.0)
        low = np.where(np.isfinite(self.row_lower), self.row_lower, 0.0)
        # At μ_i = 0 any side within the row's bounds is a subgradient: the nearest to the usage.
        side = np.clip(slope, self.row_lower, self.row_upper)
        side = np.where(self.centre > 0, up, np.where(self.centre < 0, low, side))
        g = side - slope
        if not np.any(g):
            return None
        mu = np.clip(self.centre - self.step * g, self.lower, self.upper)
        predicted = self.centre_value + float(g @ (mu - self.centre))
        return mu, predicted

    def _solve(self, centre: FloatArray, with_cuts: bool) -> tuple[FloatArray, float]:
        """Minimises model(μ) + h(μ) + ‖μ − centre‖²/2t (only the distance without cuts)."""
        highspy = load_highspy()
        m = len(centre)
        ranged = np.flatnonzero(
            np.isfinite(self.row_lower)
            & np.isfinite(self.row_upper)
            & (self.row_lower < self.row_upper)
        )
        n_theta = self.n_groups if with_cuts else 0
        n = m + n_theta + len(ranged)
        cost = np.zeros(n)
        box = self.box and with_cuts
        weight = 0.0 if box else 1.0 / self.step
        cost[:m] = -weight * centre
        if with_cuts:
            up = np.where(np.isfinite(self.row_upper), self.row_upper, 0.0)
            low = np.where(np.isfinite(self.row_lower), self.row_lower, 0.0)
            side = np.where(np.isfinite(self.row_upper), up, low)
            plain = np.ones(m, dtype=bool)
            plain[ranged] = False
            cost[:m] += np.where(plain, side, 0.0)
            cost[m : m + n_theta] = 1.0
            cost[m + n_theta :] = 1.0
        lower, upper = self.lower, self.upper
        if box:
            lower = np.maximum(lower, centre - self.step)
            upper = np.minimum(upper, centre + self.step)
        col_lower = np.concatenate([lower, np.full(n - m, -np.inf)])
        col_upper = np.concatenate([upper, np.full(n - m, np.inf)])
        parts = [sp.hstack([self.recession, sp.csr_matrix((self.recession.shape[0], n - m))])]
        row_lower = [self.recession_lower]
        row_upper = [self.recession_upper]
        if with_cuts and self._cut_block:
            slopes = sp.csr_matrix(np.vstack(self._cut_slope))
            theta = sp.csr_matrix(
                (np.ones(len(self._cut_block)), (np.arange(len(self._cut_block)), self._cut_block)),
                shape=(len(self._cut_block), n_theta),
            )
            parts.append(
                sp.hstack([slopes, theta, sp.csr_matrix((len(self._cut_block), len(ranged)))])
            )
            row_lower.append(np.asarray(self._cut_constant))
            row_upper.append(np.full(len(self._cut_block), np.inf))
        if with_cuts and len(ranged):
            # w_i ≥ μ_i u_i and w_i ≥ μ_i l_i
            eye = sp.identity(len(ranged), format="csr")
            pick = sp.csr_matrix(
                (np.ones(len(ranged)), (np.arange(len(ranged)), ranged)), shape=(len(ranged), m)
            )
            for side in (self.row_upper[ranged], self.row_lower[ranged]):
                parts.append(
                    sp.hstack([-sp.diags(side) @ pick, sp.csr_matrix((len(ranged), n_theta)), eye])
                )
                row_lower.append(np.zeros(len(ranged)))
                row_upper.append(np.full(len(ranged), np.inf))
        matrix = sp.vstack(parts).tocsc()
        highs = new_highs()
        # HiGHS's active-set QP can stall on these masters: a work limit, then a subgradient step.
        highs.setOptionValue("qp_iteration_limit", QP_ITERATIONS)
        highs.setOptionValue("time_limit", QP_SECONDS)
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = matrix.shape[0]
        lp.col_cost_ = cost
        lp.col_lower_ = col_lower
        lp.col_upper_ = col_upper
        lp.row_lower_ = np.concatenate(row_lower)
        lp.row_upper_ = np.concatenate(row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        highs.passModel(lp)
        if not box:
            _pass_hessian(highs, highspy, n, m, weight)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SolveError(
                "the multipliers' master problem could not be solved",
                str(highs.modelStatusToString(highs.getModelStatus())),
                [],
            )
        values = np.asarray(highs.getSolution().col_value, dtype=float)
        mu = np.clip(values[:m], self.lower, self.upper)
        predicted = float(np.sum(values[m : m + n_theta])) + self.h(mu)
        return mu, predicted


def _unit(value: float, m: int) -> float:
    """Returns a size of μ read from the dual value when μ is zero [currency per row unit]."""
    return 1e-3 * abs(value) / max(m, 1)


def _pass_hessian(highs: Any, highspy: Any, n: int, m: int, weight: float) -> None:
    """Gives ``highs`` the proximal term ``weight·‖μ‖²/2`` on its first ``m`` columns."""
    hessian = highspy.HighsHessian()
    hessian.dim_ = n
    hessian.format_ = highspy.HessianFormat.kTriangular
    starts = np.concatenate([np.arange(m + 1), np.full(n - m, m)])
    hessian.start_ = starts.astype(np.int32)
    hessian.index_ = np.arange(m, dtype=np.int32)
    hessian.value_ = np.full(m, weight)
    highs.passHessian(hessian)


def bundle_of(parts: Partition, blocks: list[Block]) -> Bundle:
    """Returns the starting bundle: multipliers' sign bounds, recession rows of free block columns."""
    program = parts.program
    rows = parts.linking_rows
    low, up = program.row_lower[rows], program.row_upper[rows]
    # A row without a lower side takes μ ≥ 0, one without an upper side μ ≤ 0 (maximisation).
    lower = np.where(np.isfinite(low), -np.inf, 0.0)
    upper = np.where(np.isfinite(up), np.inf, 0.0)
    # Columns no own row holds: their priced cost must not reward growing without limit.
    free_cols = []
    for block in blocks:
        held = np.asarray(abs(block.program.matrix).sum(axis=0)).ravel() > 0
        free_cols.append(block.columns[~held])
    free = np.concatenate(free_cols) if free_cols else np.zeros(0, dtype=np.int64)
    grows_up = np.isinf(program.col_upper[free])
    grows_down = np.isinf(program.col_lower[free])
    watch = free[grows_up | grows_down]
    recession = program.matrix[rows][:, watch].T.tocsr()
    cost = program.objective[watch]
    return Bundle(
        lower=lower,
        upper=upper,
        row_lower=low,
        row_upper=up,
        recession=recession,
        recession_lower=np.where(np.isinf(program.col_upper[watch]), cost, -np.inf),
        recession_upper=np.where(np.isinf(program.col_lower[watch]), cost, np.inf),
        n_blocks=len(blocks),
        centre=np.zeros(len(rows)),
    )
