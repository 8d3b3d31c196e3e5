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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray
from flexsupply.errors import SolveError
from flexsupply.heuristics.highs import load_highspy, new_highs

SERIOUS_SHARE = 0.01
"""A step is serious when the bound falls by at least this share of the predicted fall."""
MIN_STEP = 1e-6
"""Proximal step t is kept within [MIN_STEP, MAX_STEP] times its first value."""
MAX_STEP = 1e6


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
    _first_step: float = 0.0
    _cut_block: list[int] = field(default_factory=list)
    _cut_constant: list[float] = field(default_factory=list)
    _cut_slope: list[FloatArray] = field(default_factory=list)

    def h(self, mu: FloatArray) -> float:
        """Returns ``Σ_i max(μ_i u_i, μ_i l_i)`` with an infinite side read as unused."""
        up = np.where(np.isfinite(self.row_upper), self.row_upper, 0.0)
        low = np.where(np.isfinite(self.row_lower), self.row_lower, 0.0)
        return float(np.sum(np.where(mu > 0, mu * up, mu * low)))

    def add_cut(self, block: int, constant: float, slope: FloatArray) -> None:
        """Adds ``F_k(μ) ≥ constant − slope·μ`` for block ``block`` (slope = A_Lk x_k)."""
        self._cut_block.append(block)
        self._cut_constant.append(constant)
        self._cut_slope.append(slope)

    def feasible_start(self, mu: FloatArray) -> FloatArray:
        """Returns ``mu`` clipped to its sign bounds and projected onto the recession rows."""
        mu = np.clip(mu, self.lower, self.upper)
        if self.recession.shape[0] == 0:
            return mu
        return self._solve(mu, with_cuts=False)[0]

    def serious(self, mu: FloatArray, value: float, predicted: float) -> bool:
        """Records F(μ) = ``value`` at the last trial point; moves the centre on a serious step.

        Returns:
            Whether the step was serious.
        """
        if not math.isfinite(self.centre_value):
            self.centre, self.centre_value = mu, value
            return True
        expected = self.centre_value - predicted
        if value <= self.centre_value - SERIOUS_SHARE * max(expected, 0.0):
            gain = (self.centre_value - value) / max(expected, 1e-12)
            self.centre, self.centre_value = mu, value
            if gain > 0.5:
                self.step = min(self.step * 2.0, MAX_STEP * self._first_step)
            return True
        self.step = max(self.step / 2.0, MIN_STEP * self._first_step)
        return False

    def set_step(self, step: float) -> None:
        """Sets the first proximal step t."""
        self.step = self._first_step = max(step, 1e-12)

    def next_point(self) -> tuple[FloatArray, float] | None:
        """Returns the next trial multipliers and the model's predicted F there.

        Returns:
            ``(μ, predicted F)``, or None when HiGHS cannot solve the master QP (numerical
            trouble); the bound found so far stays valid.
        """
        try:
            return self._solve(self.centre, with_cuts=True)
        except SolveError:
            return None

    def _solve(self, centre: FloatArray, with_cuts: bool) -> tuple[FloatArray, float]:
        """Minimises model(μ) + h(μ) + ‖μ − centre‖²/2t (only the distance without cuts)."""
        highspy = load_highspy()
        m = len(centre)
        ranged = np.flatnonzero(
            np.isfinite(self.row_lower)
            & np.isfinite(self.row_upper)
            & (self.row_lower < self.row_upper)
        )
        n_theta = self.n_blocks if with_cuts else 0
        n = m + n_theta + len(ranged)
        cost = np.zeros(n)
        weight = 1.0 / self.step
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
        col_lower = np.concatenate([self.lower, np.full(n - m, -np.inf)])
        col_upper = np.concatenate([self.upper, np.full(n - m, np.inf)])
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
        hessian = highspy.HighsHessian()
        hessian.dim_ = n
        hessian.format_ = highspy.HessianFormat.kTriangular
        starts = np.concatenate([np.arange(m + 1), np.full(n - m, m)])
        hessian.start_ = starts.astype(np.int32)
        hessian.index_ = np.arange(m, dtype=np.int32)
        hessian.value_ = np.full(m, weight)
        highs.passHessian(hessian)
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
