"""Demand from a distribution per style and period, joined across styles by a Gaussian copula.

Spot demand of product p in period t is

    D[p,t] = F⁻¹[p,t](Φ(Z[p,t])),   Z[p,t] = √ρ_t·A[p] + √(1 − ρ_t)·B[p,t]

with F[p,t] the style's marginal distribution in that period (``scipy.stats`` ``norm``,
``lognorm`` or ``nbinom``), Φ the standard normal CDF, and A[·] (one per season) and B[·,t]
(one per period) standard normal vectors with correlation matrix R over the styles. So
Corr(Z[p,t], Z[q,s]) = R[p,q] for t = s and R[p,q]·ρ_t otherwise: R is the correlation of
demand for normal styles, and the rank correlation of two normal or lognormal styles is
(6/π)·asin(R[p,q]/2) (a little less for negative binomial ones, whose draws tie).

Each marginal keeps its mean and standard deviation: normal N(m, s²) (a draw below 0, at most
0.6 % of them since s ≤ 0.4·m, is read as 0, which raises the mean by at most 0.08 %); lognormal with log-sd σ² = ln(1 + s²/m²)
and log-mean ln m − σ²/2; negative binomial with p = m/s² and n = m²/(s² − m), or n and p as
given. Samples are then reduced to weighted scenarios as signal samples are
(``reduction.reduce_scenarios``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.demand.reduction import Reduction, sample_and_reduce
from flexsupply.demand.scenarios import DemandScenarios
from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario import Scenario
from flexsupply.scenario.parametric import DistributionName, ParametricDemand
from flexsupply.scenario.parametric_checks import correlation_matrix, style_moments

FAMILIES = tuple(DistributionName)
"""Distribution families, in the order of ``ParametricModel.family`` codes."""
_BELOW_ONE = float(np.nextafter(1.0, 0.0))
TABLE_LIMIT = 20_000_000
"""Most CDF values ``nbinom_quantiles`` tabulates at once (160 MB); beyond, scipy's ``ppf``."""


@dataclass(frozen=True)
class ParametricModel:
    """The joint distribution of spot demand D[p,t] of every product and period.

    Attributes:
        product_ids: products in the order of the product axis.
        family: index into ``FAMILIES`` of each product's distribution, shape ``(n_products,)``.
        mean: expected demand, shape ``(n_products, n_periods)`` [units].
        sd: standard deviation of demand, shape ``(n_products, n_periods)`` [units].
        correlation: correlation matrix R of the styles' normal scores, shape
            ``(n_products, n_products)``; products without demand are uncorrelated.
        period_correlation: correlation ρ_t of a style's normal scores between two periods.
    """

    product_ids: tuple[str, ...]
    family: IntArray
    mean: FloatArray
    sd: FloatArray
    correlation: FloatArray
    period_correlation: float

    @property
    def n_products(self) -> int:
        """Number of products P."""
        return len(self.product_ids)

    @property
    def n_periods(self) -> int:
        """Number of periods T."""
        return int(self.mean.shape[1])

    def normal_scores(self, n: int, rng: np.random.Generator) -> FloatArray:
        """Draws the copula's correlated standard normal scores Z.

        Returns:
            Scores, shape ``(n, n_products, n_periods)`` [dimensionless].
        """
        root = correlation_root(self.correlation)
        season = rng.standard_normal((n, self.n_products)) @ root.T
        periods = rng.standard_normal((n, self.n_periods, self.n_products)) @ root.T
        rho = self.period_correlation
        scores: FloatArray = np.sqrt(rho) * season[:, :, None] + np.sqrt(1 - rho) * np.swapaxes(
            periods, 1, 2
        )
        return scores

    def quantiles(self, scores: FloatArray) -> FloatArray:
        """Returns the demand at the normal scores: D = F⁻¹(Φ(Z)) cell by cell.

        Normal and lognormal quantiles are closed forms of the score (as scipy's ``norm`` and
        ``lognorm`` ``ppf`` at Φ(z)); negative-binomial ones come from ``nbinom_quantiles``.

        Args:
            scores: normal scores, shape ``(n, n_products, n_periods)``.

        Returns:
            Demand, same shape [units]; a cell with no spread is its mean.
        """
        from scipy import stats

        n = scores.shape[0]
        flat = scores.reshape(n, -1)
        mean, sd = self.mean.reshape(-1), self.sd.reshape(-1)
        family = np.repeat(self.family, self.n_periods)
        units = np.broadcast_to(mean, flat.shape).copy()
        for code, name in enumerate(FAMILIES):
            cells = np.flatnonzero((family == code) & (sd > 0) & (mean > 0))
            if not len(cells):
                continue
            m, s, z = mean[cells], sd[cells], flat[:, cells]
            if name == DistributionName.NORMAL:
                units[:, cells] = np.maximum(m + s * z, 0.0)
                continue
            if name == DistributionName.LOGNORMAL:
                # scipy's lognorm(σ, scale).ppf(Φ(z)) is scale·e^(σz): taken without Φ.
                sigma = np.sqrt(np.log1p((s / m) ** 2))
                units[:, cells] = m * np.exp(sigma * z - sigma**2 / 2)
            else:
                units[:, cells] = nbinom_quantiles(m**2 / (s**2 - m), m / s**2, stats.norm.cdf(z))
        shaped: FloatArray = units.reshape(scores.shape)
        return shaped

    def sample(self, n: int, seed: int | np.random.SeedSequence | None = 0) -> DemandScenarios:
        """Draws equally likely demand scenarios.

        Args:
            n: number of scenarios.
            seed: seed of the random generator; the same seed gives the same scenarios.

        Returns:
            ``DemandScenarios`` with units of shape ``(n, n_products, n_periods)`` [units],
            probabilities 1/n, names ``sample-1`` … ``sample-n``.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        units = self.quantiles(self.normal_scores(n, np.random.default_rng(seed)))
        names = [f"sample-{w + 1}" for w in range(n)]
        return DemandScenarios(units, np.full(n, 1.0 / n), names)


def correlation_root(correlation: FloatArray) -> FloatArray:
    """Returns a matrix L with L·Lᵀ = ``correlation``.

    The Cholesky factor (unique, so the same seed gives the same samples on any machine);
    for a singular matrix (styles perfectly correlated), V·√Λ from the eigendecomposition
    R = V·Λ·Vᵀ, eigenvalues below 0 by rounding taken as 0.
    """
    try:
        cholesky: FloatArray = np.linalg.cholesky(correlation).astype(np.float64)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(correlation)
        root: FloatArray = vectors * np.sqrt(np.maximum(values, 0.0))
        return root
    return cholesky


def nbinom_quantiles(n: FloatArray, p: FloatArray, u: FloatArray) -> FloatArray:
    """Returns ``scipy.stats.nbinom(n, p).ppf(u)`` of each cell, by a table of its CDF.

    That is the smallest whole x with scipy's ``nbinom.cdf(x) ≥ u``; within 1e-12 of u = 1,
    where CDF and ``ppf`` round apart, it may be one below ``ppf``.

    For each cell (column) the CDF is evaluated once on every whole number between the
    quantiles of its smallest and largest u, and each u is placed in that table by a binary
    search: the smallest x with CDF(x) ≥ u, as ``ppf`` defines it, at a fraction of the cost of
    ``ppf`` per draw. Columns whose tables would hold more than ``TABLE_LIMIT`` numbers in all
    (demand in the millions) are left to ``ppf``.

    Args:
        n: number of successes per cell, shape ``(k,)``.
        p: success probability per cell, shape ``(k,)``.
        u: probabilities in (0, 1], shape ``(draws, k)``; 1 (a score above 8.3, which Φ
            rounds to 1) is read as the largest float below 1, where the quantile is finite.

    Returns:
        Quantiles, shape ``(draws, k)`` [units].
    """
    from scipy import stats

    u = np.minimum(u, _BELOW_ONE)
    low = stats.nbinom.ppf(u.min(axis=0), n, p)
    high = stats.nbinom.ppf(u.max(axis=0), n, p)
    width = (high - low + 1).astype(np.int64)
    if int(width.sum()) > TABLE_LIMIT:
        exact: FloatArray = stats.nbinom.ppf(u, n, p)
        return exact
    cell = np.repeat(np.arange(len(n)), width)
    start = np.cumsum(width) - width
    x = low[cell] + (np.arange(cell.size) - start[cell])
    cdf = stats.nbinom.cdf(x, n[cell], p[cell])
    # Each cell's CDF shifted by its number is one sorted array for every cell; the shift costs
    # the last digits of u, so the places found are then moved to the exact first CDF ≥ u.
    found = np.searchsorted(cell + cdf, np.arange(len(n)) + u, side="left")
    first, last = np.broadcast_to(start, u.shape), np.broadcast_to(start + width - 1, u.shape)
    found = np.clip(found, first, last)
    while np.any(move := (cdf[found] < u) & (found < last)):
        found = found + move
    while np.any(move := (found > first) & (cdf[np.maximum(found - 1, 0)] >= u)):
        found = found - move
    quantiles: FloatArray = x[found]
    return quantiles


def _block_of(scenario: Scenario) -> ParametricDemand:
    """Returns the scenario's parametric block.

    Raises:
        ScenarioError: the scenario gives its demand otherwise.
    """
    block = scenario.demand.parametric
    if block is None:
        message = "no parametric block: give the demand as demand.parametric"
        raise ScenarioError([Problem(("demand",), message)], f"scenario {scenario.name!r}")
    return block


def parametric_model(scenario: Scenario) -> ParametricModel:
    """Returns the joint demand distribution the scenario's ``demand.parametric`` block states.

    Returns:
        The ``ParametricModel`` over the scenario's products in file order (products the block
        leaves out have no demand).

    Raises:
        ScenarioError: the scenario has no ``demand.parametric`` block.
    """
    block = _block_of(scenario)
    periods = scenario.horizon.periods
    ids = scenario.product_ids
    mean = np.zeros((len(ids), periods))
    sd = np.zeros_like(mean)
    family = np.zeros(len(ids), dtype=np.int64)
    index = np.array([ids.index(product_id) for product_id in block.products], dtype=np.int64)
    for k, style in zip(index, block.products.values(), strict=True):
        mean[k], sd[k] = style_moments(style, periods)
        family[k] = FAMILIES.index(style.distribution or block.distribution)
    correlation = np.eye(len(ids))
    correlation[np.ix_(index, index)] = correlation_matrix(block)
    return ParametricModel(tuple(ids), family, mean, sd, correlation, block.period_correlation)


def parametric_scenarios(
    scenario: Scenario, samples: int | None = None, seed: int | None = None
) -> Reduction:
    """Samples the parametric distribution and reduces the samples to the plan's scenarios.

    Args:
        scenario: a scenario with a ``demand.parametric`` block.
        samples: samples to draw (default: the block's ``samples``).
        seed: seed (default: the block's ``seed``); the same seed gives the same scenarios.

    Returns:
        The ``Reduction``: at most ``scenarios_kept`` scenarios with units of shape
        ``(n_kept, n_products, n_periods)`` [units], and the report of its errors.

    Raises:
        ScenarioError: the scenario has no ``demand.parametric`` block.
    """
    return _sample_and_reduce(scenario, samples, seed)[1]


def _sample_and_reduce(
    scenario: Scenario, samples: int | None, seed: int | None
) -> tuple[DemandScenarios, Reduction]:
    """Returns the planning samples and their reduction (see ``parametric_scenarios``)."""
    return sample_and_reduce(_block_of(scenario), parametric_model(scenario).sample, samples, seed)


def parametric_report(scenario: Scenario) -> str:
    """Returns the text ``flexsupply forecast`` prints for a ``demand.parametric`` scenario.

    Per style with demand: its family, and the mean, standard deviation, P10, P50 and P90 of
    its season demand over the planning samples [units]; then how well the kept scenarios
    reproduce them.

    Raises:
        ScenarioError: the scenario has no ``demand.parametric`` block.
    """
    block = _block_of(scenario)
    drawn, reduction = _sample_and_reduce(scenario, None, None)
    season = drawn.units.sum(axis=2)
    quantiles = np.quantile(season, [0.1, 0.5, 0.9], axis=0)
    periods = scenario.horizon.periods
    unit = f"{scenario.horizon.period_length}{'s' if periods != 1 else ''}"
    width = max(5, *(len(product_id) for product_id in block.products))
    lines = [
        f"Forecast for {scenario.name}: spot demand over the season ({periods} {unit}) [units], "
        f"from {drawn.n_scenarios:,} samples",
        "",
        f"{'style':<{width}}  {'distribution':<17}  {'mean':>8} {'sd':>8} {'P10':>8} "
        f"{'P50':>8} {'P90':>8}",
    ]
    for product_id, style in block.products.items():
        p = scenario.product_ids.index(product_id)
        family = style.distribution or block.distribution
        figures = [season[:, p].mean(), season[:, p].std(), *quantiles[:, p]]
        row = " ".join(f"{value:>8,.0f}" for value in figures)
        lines.append(f"{product_id:<{width}}  {family:<17}  {row}")
    lines += ["", "Scenarios for the plan:", f"  {reduction.report.summary()}"]
    return "\n".join(lines)


__all__ = [
    "FAMILIES",
    "ParametricModel",
    "correlation_root",
    "nbinom_quantiles",
    "parametric_model",
    "parametric_report",
    "parametric_scenarios",
]
