"""Scenario reduction: many equally likely samples become a few weighted scenarios.

Stratified resampling: the samples are split into groups, and each group is represented by one
of its own samples, drawn at random, with the group's probability. A random member (rather than
the group mean) keeps the spread: the kept scenarios are, on average over the draw, distributed
exactly as the samples, with week-to-week noise and tails intact, where group means would shrink
the variance of a 10-style season by more than half. Of several draws (``draws``), the one that
best keeps each product's standard deviation of season demand is kept, and it is then scaled per
product and period so that expected demand equals the samples' exactly.

Groups, on season demand per product in units of its standard deviation:

- ``kmeans``: k-means clusters (Lloyd's algorithm from a k-means++ start), so styles that hit
  together and styles that hit apart land in different groups;
- ``quantile``: strata of equal probability of the sum of those standardised season demands.
  Best for one product or styles that move together.

The report gives what is lost: errors of the mean, of the standard deviation and of the P10,
P50 and P90 of each product's season demand, and the distance from samples to their scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.demand.scenarios import DemandScenarios
from flexsupply.scenario.signals import ReductionMethod

_MAX_ITERATIONS = 50
_DRAWS = 32
_REPORT_QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class ReductionReport:
    """How well the kept scenarios reproduce the samples.

    Errors compare the weighted kept scenarios with the samples, per product, on season demand
    (the sum over periods).

    Attributes:
        method: the reduction method.
        n_samples: samples in.
        n_kept: scenarios out.
        mean_error: largest difference in expected demand of a product and period, as a share
            of the largest expected demand of a period (0 up to rounding: the kept scenarios
            are scaled to it, except where every drawn member has none).
        sd_error: largest relative shortfall or excess of the standard deviation of a product's
            season demand.
        quantile_error: largest difference of the P10, P50 or P90 of a product's season demand,
            in standard deviations of that demand.
        distortion: root mean square distance from a sample to its kept scenario [units].
    """

    method: ReductionMethod
    n_samples: int
    n_kept: int
    mean_error: float
    sd_error: float
    quantile_error: float
    distortion: float

    def summary(self) -> str:
        """Returns one line for people, e.g. for ``flexsupply forecast``."""
        return (
            f"{self.n_samples:,} samples → {self.n_kept} scenarios ({self.method}); expected "
            f"demand within {self.mean_error:.1%}, season SD within {self.sd_error:.1%}, "
            f"P10/P50/P90 within {self.quantile_error:.2f} SD"
        )


@dataclass(frozen=True)
class Reduction:
    """Kept scenarios, which group every sample went to, and the report.

    Attributes:
        scenarios: the kept scenarios in order of total demand, named by where they sit in
            its distribution (``percentile_names``).
        assignment: index of the kept scenario of each sample, shape ``(n_samples,)``.
        report: the errors of the reduction.
    """

    scenarios: DemandScenarios
    assignment: IntArray
    report: ReductionReport


class SampledBlock(Protocol):
    """A demand block that is sampled and reduced (``demand.signals``, ``demand.parametric``)."""

    @property
    def seed(self) -> int: ...
    @property
    def samples(self) -> int: ...
    @property
    def scenarios_kept(self) -> int: ...
    @property
    def reduction(self) -> ReductionMethod: ...


def sample_and_reduce(
    block: SampledBlock,
    sample: Callable[[int, np.random.SeedSequence], DemandScenarios],
    samples: int | None = None,
    seed: int | None = None,
) -> tuple[DemandScenarios, Reduction]:
    """Draws ``samples`` scenarios with ``sample`` and reduces them to the block's kept ones.

    One seed (default: the block's) gives the draws and the grouping, each its own stream.

    Returns:
        ``(drawn, reduction)``: the samples, units ``(n_samples, n_products, n_periods)``
        [units], and their ``Reduction`` to at most ``block.scenarios_kept`` scenarios.
    """
    sampling, grouping = np.random.SeedSequence(block.seed if seed is None else seed).spawn(2)
    drawn = sample(block.samples if samples is None else samples, sampling)
    return drawn, reduce_scenarios(drawn, block.scenarios_kept, block.reduction, grouping)


def reduce_scenarios(
    samples: DemandScenarios,
    n_kept: int,
    method: ReductionMethod | str = ReductionMethod.KMEANS,
    seed: int | np.random.SeedSequence | None = 0,
    draws: int = _DRAWS,
) -> Reduction:
    """Reduces samples to at most ``n_kept`` weighted scenarios by stratified resampling.

    Args:
        samples: the scenarios to reduce (any probabilities).
        n_kept: scenarios wanted; at least as many as the samples keeps every sample.
        method: ``kmeans`` or ``quantile`` grouping.
        seed: seed of the grouping and the draws; the same seed gives the same scenarios.
        draws: representatives drawn per group; the set that keeps the spread best is kept.

    Returns:
        The ``Reduction``: scenarios with units ``(n_kept, n_products, n_periods)`` [units] in
        order of total demand, with probabilities that sum to 1, and its report.
    """
    method = ReductionMethod(method)
    if n_kept < 1 or draws < 1:
        raise ValueError("n_kept and draws must be at least 1")
    n_samples = samples.n_scenarios
    weights = samples.probabilities / samples.probabilities.sum()
    flat = samples.units.reshape(n_samples, -1)
    rng = np.random.default_rng(seed)
    if n_kept >= n_samples:
        assignment: IntArray = np.arange(n_samples)
        kept = flat
    else:
        season = samples.units.sum(axis=2)
        spread = np.sqrt(weights @ (season - weights @ season) ** 2)
        standard = season[:, spread > 0] / spread[spread > 0]
        if method == ReductionMethod.QUANTILE or standard.shape[1] == 0:
            assignment = _strata(standard.sum(axis=1), weights, n_kept)
        else:
            assignment = _kmeans(standard, weights, n_kept, rng)
        kept = _representatives(samples, weights, assignment, rng, draws)
    mass = np.bincount(assignment, weights=weights, minlength=kept.shape[0]).astype(float)
    used = np.flatnonzero(mass > 0)
    order = np.argsort(kept[used].sum(axis=1), kind="stable")
    renumber = np.empty(mass.size, dtype=np.int64)
    renumber[used[order]] = np.arange(used.size)
    reduced = DemandScenarios(
        kept[used[order]].reshape(used.size, *samples.units.shape[1:]),
        mass[used[order]],
        percentile_names(mass[used[order]]),
    )
    assignment = renumber[assignment]
    return Reduction(reduced, assignment, _report(samples, reduced, assignment, method))


def percentile_names(probabilities: FloatArray) -> list[str]:
    """Returns names of futures in order of total demand, by the percentile each stands for.

    A future standing for the probability mass from a to b is named by its midpoint, e.g.
    ``demand-p07`` for the lowest of 15 equal futures and ``demand-p50`` for the middle one,
    so names say what the future is and sort as numbers. One decimal is added when two
    futures would otherwise share a name.

    Args:
        probabilities: the futures' probabilities in order of total demand, shape ``(Ω,)``.
    """
    mass = np.asarray(probabilities, dtype=float) / float(np.sum(probabilities))
    middle = np.minimum(100.0 * (np.cumsum(mass) - mass / 2), 99.9)
    names = [f"demand-p{value:02.0f}" for value in middle]
    if len(set(names)) < len(names):
        names = [f"demand-p{value:04.1f}" for value in middle]
    if len(set(names)) < len(names):
        names = [f"demand-{w + 1:03d}" for w in range(len(names))]
    return names


def _representatives(
    samples: DemandScenarios,
    weights: FloatArray,
    assignment: IntArray,
    rng: np.random.Generator,
    draws: int,
) -> FloatArray:
    """Returns one flattened demand table per group, shape ``(n_groups, P·T)`` [units].

    Each draw takes a random member of every group (chance ∝ its probability) and scales it per
    product and period to the samples' expected demand. A draw scores the largest relative error
    of a product's season standard deviation plus the largest error of its P10, P50 or P90 in
    standard deviations; the best draw wins.
    """
    n_samples, n_products, n_periods = samples.units.shape
    flat = samples.units.reshape(n_samples, -1)
    groups = int(assignment.max()) + 1
    mass = np.bincount(assignment, weights=weights, minlength=groups).astype(float)
    target_mean = weights @ flat
    season = samples.units.sum(axis=2)
    target_sd = np.sqrt(weights @ (season - weights @ season) ** 2)
    varies = target_sd > 0
    quantiles = np.asarray(_REPORT_QUANTILES)
    target_q = _weighted_quantiles(season[:, varies], weights, quantiles)
    positive = weights > 0
    safe_weights = np.where(positive, weights, 1.0)
    best = flat[:groups]
    best_score = np.inf
    for _ in range(draws):
        # The member with the largest log(u)/weight is drawn with chance ∝ weight.
        keys = np.where(positive, np.log(rng.random(n_samples)) / safe_weights, -np.inf)
        order = np.lexsort((keys, assignment))
        last = order[np.r_[np.flatnonzero(np.diff(assignment[order])), n_samples - 1]]
        chosen = np.zeros(groups, dtype=np.int64)
        chosen[assignment[last]] = last
        units = flat[chosen]
        mean = mass @ units
        units = units * np.where(mean > 0, target_mean / np.where(mean > 0, mean, 1.0), 1.0)
        kept_season = units.reshape(groups, n_products, n_periods).sum(axis=2)
        sd = np.sqrt(mass @ (kept_season - mass @ kept_season) ** 2)
        kept_q = _weighted_quantiles(kept_season[:, varies], mass, quantiles)
        score = float(np.abs(sd[varies] / target_sd[varies] - 1).max(initial=0.0)) + float(
            (np.abs(kept_q - target_q) / target_sd[varies]).max(initial=0.0)
        )
        if score < best_score:
            best, best_score = units, score
    return best


def _group_sums(
    points: FloatArray, weights: FloatArray, assignment: IntArray, groups: int
) -> tuple[FloatArray, FloatArray]:
    """Returns the probability of each group ``(groups,)`` and its weighted sum of points."""
    members = sparse.csr_array(
        (weights, (assignment, np.arange(points.shape[0]))), shape=(groups, points.shape[0])
    )
    sums: FloatArray = members @ points
    mass: FloatArray = np.bincount(assignment, weights=weights, minlength=groups).astype(float)
    return mass, sums


def _strata(score: FloatArray, weights: FloatArray, n_kept: int) -> IntArray:
    """Returns the stratum of each sample: equal-probability slices of the sorted score."""
    order = np.argsort(score, kind="stable")
    # A sample belongs to the slice that holds the middle of its probability mass.
    middle = np.cumsum(weights[order]) - weights[order] / 2
    strata = np.empty(score.size, dtype=np.int64)
    strata[order] = np.minimum((middle * n_kept).astype(np.int64), n_kept - 1)
    return strata


def _kmeans(points: FloatArray, weights: FloatArray, k: int, rng: np.random.Generator) -> IntArray:
    """Returns the cluster of each point by weighted Lloyd iterations from a k-means++ start.

    Stops when fewer than one point in a thousand changes cluster, or after
    ``_MAX_ITERATIONS``.
    """
    from scipy.cluster.vq import vq  # nearest centre in C

    n_points = points.shape[0]
    centres = np.empty((k, points.shape[1]))
    centres[0] = points[rng.choice(n_points, p=weights)]
    nearest = ((points - centres[0]) ** 2).sum(axis=1)
    for c in range(1, k):
        mass = weights * nearest
        total = mass.sum()
        centres[c] = points[rng.choice(n_points, p=mass / total) if total > 0 else 0]
        nearest = np.minimum(nearest, ((points - centres[c]) ** 2).sum(axis=1))
    assignment = np.full(n_points, -1, dtype=np.int64)
    for _ in range(_MAX_ITERATIONS):
        codes, distance = vq(points, centres, check_finite=False)
        new = codes.astype(np.int64)
        changed = int(np.count_nonzero(new != assignment))
        assignment = new
        if changed <= n_points * 1e-3:
            break
        mass, sums = _group_sums(points, weights, assignment, k)
        empty = mass <= 0
        centres = np.where(empty[:, None], centres, sums / np.where(empty, 1.0, mass)[:, None])
        if np.any(empty):
            # An empty cluster restarts at the point farthest from its centre.
            farthest = np.argsort(distance)[::-1][: int(empty.sum())]
            centres[empty] = points[farthest]
    return assignment


def _weighted_quantiles(values: FloatArray, weights: FloatArray, q: FloatArray) -> FloatArray:
    """Returns weighted quantiles of each column, shape ``(len(q), n_columns)``.

    The quantile q is the smallest value whose cumulative weight reaches q.
    """
    order = np.argsort(values, axis=0, kind="stable")
    ordered = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0)
    cumulative /= cumulative[-1]
    index = (cumulative[None] < q[:, None, None] - 1e-12).sum(axis=1)
    index = np.minimum(index, values.shape[0] - 1)
    quantiles: FloatArray = np.take_along_axis(ordered, index, axis=0)
    return quantiles


def _report(
    samples: DemandScenarios,
    kept: DemandScenarios,
    assignment: IntArray,
    method: ReductionMethod,
) -> ReductionReport:
    """Returns the errors of replacing ``samples`` by ``kept``."""
    weights = samples.probabilities / samples.probabilities.sum()
    scale = max(float(samples.expected().max()), 1e-12)
    mean_error = float(np.abs(kept.expected() - samples.expected()).max()) / scale

    def season_stats(futures: DemandScenarios, w: FloatArray) -> tuple[FloatArray, FloatArray]:
        season = futures.units.sum(axis=2)
        mean = w @ season
        sd = np.sqrt(np.maximum(w @ (season - mean) ** 2, 0.0))
        q = _weighted_quantiles(season, w, np.asarray(_REPORT_QUANTILES))
        return sd, q

    sample_sd, sample_q = season_stats(samples, weights)
    kept_sd, kept_q = season_stats(kept, kept.probabilities)
    varies = sample_sd > 0
    sd_error = float(np.abs(kept_sd / np.where(varies, sample_sd, 1.0) - 1)[varies].max(initial=0))
    quantile_gap = np.abs(kept_q - sample_q) / np.where(varies, sample_sd, 1.0)
    quantile_error = float(quantile_gap[:, varies].max(initial=0))
    flat = samples.units.reshape(samples.n_scenarios, -1)
    centres = kept.units.reshape(kept.n_scenarios, -1)
    distortion = float(np.sqrt(weights @ ((flat - centres[assignment]) ** 2).sum(axis=1)))
    return ReductionReport(
        method=method,
        n_samples=samples.n_scenarios,
        n_kept=kept.n_scenarios,
        mean_error=mean_error,
        sd_error=sd_error,
        quantile_error=quantile_error,
        distortion=distortion,
    )


__all__ = ["Reduction", "ReductionReport", "reduce_scenarios"]
