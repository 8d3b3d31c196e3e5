"""The demand distribution: negative binomial × lognormal hit factor × brand-wide factor.

Spot demand of product p in period t is

    D[p,t] | U[p] ~ NegBin(k[p], mean μ[p,t]·U[p])          (variance m + m²/k around mean m)
    U[p] = L[p] · exp(σ_c[p]·Z_c + σ_h[p]·Z_p − (σ_c[p]² + σ_h[p]²)/2)

with Z_c (one per season, shared by every style) and Z_p (one per style) independent standard
normals. μ comes from the signals, L[p] (mean 1 before any update) from the Bayesian updates,
k from Hausman & Sides (1972: weekly style-goods demand is negative binomial), the lognormal hit
factor and the common factor from DOMAIN §7.1. Because U has mean L and E[U²] = L²·exp(s²) with
s² = σ_c² + σ_h², the moments are closed forms:

    E[D] = L·μ,    Var[D] = L·μ + (L·μ)²·((1 + 1/k)·exp(s²) − 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.demand.scenarios import DemandScenarios
from flexsupply.demand.signals import FunnelEvidence, funnel_evidence, signal_means
from flexsupply.scenario.signals import SignalDemand

_QUADRATURE_NODES = 48


@dataclass(frozen=True)
class DemandModel:
    """The distribution of spot demand D[p,t] of every product and period.

    Attributes:
        product_ids: products in the order of the product axis.
        base: signal mean μ[p,t], shape ``(n_products, n_periods)`` [units].
        dispersion: negative-binomial shape k[p], shape ``(n_products,)`` [dimensionless].
        hit_sigma: log-sd σ_h[p] of the style's own factor, shape ``(n_products,)``.
        common_sigma: log-sd σ_c[p] of the brand-wide factor in this style, shape
            ``(n_products,)``; one standard normal Z_c drives every style.
        level: mean multiplier L[p] of the signal mean, shape ``(n_products,)`` (1 before any
            update).
    """

    product_ids: tuple[str, ...]
    base: FloatArray
    dispersion: FloatArray
    hit_sigma: FloatArray
    common_sigma: FloatArray
    level: FloatArray

    def __post_init__(self) -> None:
        n_products = len(self.product_ids)
        if self.base.ndim != 2 or self.base.shape[0] != n_products:
            raise ValueError(f"base must have shape ({n_products}, n_periods)")
        for name in ("dispersion", "hit_sigma", "common_sigma", "level"):
            if getattr(self, name).shape != (n_products,):
                raise ValueError(f"{name} must have shape ({n_products},)")
        if np.any(self.base < 0) or np.any(self.level < 0):
            raise ValueError("means must not be negative")
        if np.any(self.dispersion <= 0):
            raise ValueError("dispersion k must be positive")

    @property
    def n_products(self) -> int:
        """Number of products P."""
        return len(self.product_ids)

    @property
    def n_periods(self) -> int:
        """Number of periods T."""
        return int(self.base.shape[1])

    def log_variance(self) -> FloatArray:
        """Returns s² = σ_c² + σ_h², the variance of log U, shape ``(n_products,)``."""
        variance: FloatArray = self.common_sigma**2 + self.hit_sigma**2
        return variance

    def multiplier_cv2(self) -> FloatArray:
        """Returns the squared coefficient of variation of U, exp(s²) − 1, shape ``(n_products,)``."""
        cv2: FloatArray = np.expm1(self.log_variance())
        return cv2

    def mean(self) -> FloatArray:
        """Returns E[D[p,t]] = L[p]·μ[p,t], shape ``(n_products, n_periods)`` [units]."""
        mean: FloatArray = self.level[:, None] * self.base
        return mean

    def variance(self) -> FloatArray:
        """Returns Var[D[p,t]], shape ``(n_products, n_periods)`` [units²]."""
        mean = self.mean()
        growth = (1 + 1 / self.dispersion) * np.exp(self.log_variance()) - 1
        variance: FloatArray = mean + mean**2 * growth[:, None]
        return variance

    def season_mean(self) -> FloatArray:
        """Returns the expected spot demand over the season, shape ``(n_products,)`` [units]."""
        season: FloatArray = self.mean().sum(axis=1)
        return season

    def season_variance(self) -> FloatArray:
        """Returns the variance of spot demand over the season, shape ``(n_products,)`` [units²].

        Periods are independent given U, and share U: Var = Σ_t (m_t + E[m_t²]/k) + Var[Σ_t m_t].
        """
        mean = self.mean()
        spread = np.exp(self.log_variance())
        within = mean.sum(axis=1) + spread * (mean**2).sum(axis=1) / self.dispersion
        variance: FloatArray = within + mean.sum(axis=1) ** 2 * (spread - 1)
        return variance

    def season_covariance(self) -> FloatArray:
        """Returns the covariance of season spot demand between products, shape ``(P, P)``.

        Off the diagonal only the brand-wide factor links styles:
        Cov = M[p]·M[q]·(exp(σ_c[p]·σ_c[q]) − 1) with M the season means [units²].
        """
        season = self.season_mean()
        covariance: FloatArray = np.outer(season, season) * np.expm1(
            np.outer(self.common_sigma, self.common_sigma)
        )
        np.fill_diagonal(covariance, self.season_variance())
        return covariance

    def quantiles(self, q: Sequence[float] | FloatArray) -> FloatArray:
        """Returns quantiles of demand in each period, by quadrature over U (not by sampling).

        Args:
            q: probabilities in (0, 1), e.g. ``[0.1, 0.5, 0.9]``.

        Returns:
            The smallest whole number of units x with P(D[p,t] ≤ x) ≥ q, shape
            ``(len(q), n_products, n_periods)`` [units].
        """
        shape = np.broadcast_to(self.dispersion[:, None], self.base.shape)
        return _mixture_quantiles(
            np.asarray(q, dtype=float), self.mean(), shape, self.log_variance()
        )

    def season_quantiles(self, q: Sequence[float] | FloatArray) -> FloatArray:
        """Returns quantiles of spot demand over the whole season, by quadrature over U.

        Given U, the season total is taken as negative binomial with the same mean and variance
        as the sum of the periods (exact when μ is the same in every period, within a few units
        otherwise).

        Args:
            q: probabilities in (0, 1), e.g. ``[0.1, 0.5, 0.9]``.

        Returns:
            Quantiles, shape ``(len(q), n_products)`` [units].
        """
        mean = self.mean()
        season = mean.sum(axis=1)
        squares = (mean**2).sum(axis=1)
        shape = np.where(squares > 0, self.dispersion * season**2 / np.maximum(squares, 1e-300), 1)
        quantiles = _mixture_quantiles(
            np.asarray(q, dtype=float), season[:, None], shape[:, None], self.log_variance()
        )
        return quantiles[:, :, 0]

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
        rng = np.random.default_rng(seed)
        common = rng.standard_normal(n)
        own = rng.standard_normal((n, self.n_products))
        log_u = self.common_sigma * common[:, None] + self.hit_sigma * own - self.log_variance() / 2
        means = (self.level * np.exp(log_u))[:, :, None] * self.base[None]
        shape = np.broadcast_to(self.dispersion[None, :, None], means.shape)
        # Poisson with a gamma-distributed rate is negative binomial with shape k.
        rates = rng.gamma(shape, means / shape)
        units = rng.poisson(rates).astype(float)
        probabilities = np.full(n, 1.0 / n)
        return DemandScenarios(units, probabilities, [f"sample-{w + 1}" for w in range(n)])


def _mixture_quantiles(
    q: FloatArray, mean: FloatArray, shape: FloatArray, log_variance: FloatArray
) -> FloatArray:
    """Returns quantiles of NegBin(shape, mean·U) mixed over lognormal U with mean 1.

    Args:
        q: probabilities, shape ``(Q,)``.
        mean: means, shape ``(P, X)`` [units].
        shape: negative-binomial shapes, shape ``(P, X)``.
        log_variance: variance of log U per row, shape ``(P,)``.

    Returns:
        Smallest whole x with mixture CDF(x) ≥ q, shape ``(Q, P, X)`` [units].
    """
    from scipy import stats  # imported here: it takes a second, and sampling does not need it

    if np.any((q <= 0) | (q >= 1)):
        raise ValueError("quantile probabilities must be within (0, 1)")
    nodes, weights = np.polynomial.hermite_e.hermegauss(_QUADRATURE_NODES)
    weights = weights / weights.sum()
    sigma = np.sqrt(log_variance)[:, None]
    factor = np.exp(sigma * nodes[None] - sigma**2 / 2)
    # Node axis last: (P, X, J); success probability of scipy's nbinom is k / (k + m).
    node_mean = mean[:, :, None] * factor[:, None, :]
    k = shape[:, :, None]
    success = k / (k + node_mean)

    def cdf(x: FloatArray) -> FloatArray:
        values = stats.nbinom.cdf(x[..., None], k[None], success[None])
        mixed: FloatArray = values @ weights
        return mixed

    # The mixture reaches q between the smallest and the largest quantile of its components.
    at_nodes = stats.nbinom.ppf(q[:, None, None, None], k[None], success[None])
    low = at_nodes.min(axis=-1) - 1
    high = at_nodes.max(axis=-1)
    while np.any(high - low > 1):
        middle = np.floor((low + high) / 2)
        reached = cdf(middle) >= q[:, None, None]
        open_ = high - low > 1
        high = np.where(open_ & reached, middle, high)
        low = np.where(open_ & ~reached, middle, low)
    quantiles: FloatArray = high
    return quantiles


def funnel_update(model: DemandModel, evidence: FunnelEvidence) -> DemandModel:
    """Updates each style's hit factor with its funnel evidence (normal–normal on log H).

    Prior log H ~ N(−σ_h²/2, σ_h²); observation y ~ N(log H, v). The posterior is
    N(m', σ'²) with 1/σ'² = 1/σ_h² + 1/v and m' = σ'²·(−1/2 + y/v); the updated model has
    level L·exp(m' + σ'²/2) and hit sigma σ'.

    Args:
        model: the model before the update.
        evidence: funnel evidence per product (NaN where none).

    Returns:
        The updated ``DemandModel``; styles without evidence or with σ_h = 0 are unchanged.
    """
    prior_var = model.hit_sigma**2
    use = np.isfinite(evidence.log_ratio) & (prior_var > 0)
    if not np.any(use):
        return model
    prior_var_safe = np.where(use, prior_var, 1.0)
    observed_var = np.where(use, evidence.variance, 1.0)
    observed = np.where(use, evidence.log_ratio, 0.0)
    post_var = 1 / (1 / prior_var_safe + 1 / observed_var)
    post_mean = post_var * (-0.5 + observed / observed_var)
    level = np.where(use, model.level * np.exp(post_mean + post_var / 2), model.level)
    hit_sigma = np.where(use, np.sqrt(post_var), model.hit_sigma)
    return replace(model, level=level, hit_sigma=hit_sigma)


def signal_model(signals: SignalDemand, product_ids: Sequence[str], periods: int) -> DemandModel:
    """Returns the demand model the signals imply, with the observed funnel taken into account.

    Args:
        signals: the scenario's ``demand.signals`` block.
        product_ids: products in the order wanted on the product axis.
        periods: number of periods T.

    Returns:
        The ``DemandModel`` before the presale update (products without signals have μ = 0).
    """
    uncertainty = signals.uncertainty
    styles = [signals.products.get(product_id) for product_id in product_ids]
    dispersion = [
        (style.uncertainty.dispersion_k if style else None) or uncertainty.dispersion_k
        for style in styles
    ]
    hit_sigma = [
        uncertainty.hit_sigma
        if style is None or style.uncertainty.hit_sigma is None
        else style.uncertainty.hit_sigma
        for style in styles
    ]
    n_products = len(product_ids)
    model = DemandModel(
        product_ids=tuple(product_ids),
        base=signal_means(signals, product_ids, periods).total,
        dispersion=np.asarray(dispersion, dtype=float),
        hit_sigma=np.asarray(hit_sigma, dtype=float),
        common_sigma=np.full(n_products, uncertainty.common_sigma),
        level=np.ones(n_products),
    )
    return funnel_update(model, funnel_evidence(signals, product_ids))


__all__ = ["DemandModel", "funnel_update", "signal_model"]
