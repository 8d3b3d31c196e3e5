"""The parametric demand block: a distribution per style and period, correlated across styles.

``demand.parametric`` says, per product, which distribution its spot demand follows in each
period (normal, lognormal or negative binomial, by mean and standard deviation, by mean and
coefficient of variation, or by the negative binomial's n and p), how styles move together (one
correlation for every pair, and pairs that differ from it) and how periods of a style move
together. ``flexsupply.demand.parametric`` samples it through a Gaussian copula, reduces the
samples to weighted scenarios like the signals path, and draws fresh samples for ``simulate``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from flexsupply.scenario.base import Factor, Id, Model, OpenShare, Real, Share, Units, Whole
from flexsupply.scenario.signals import MAX_SCENARIOS_KEPT, ReductionMethod

MAX_SHAPE = 1e6
"""Largest negative-binomial n (far beyond it, demand is Poisson anyway)."""
MAX_NORMAL_CV = 0.4
"""Largest sd / mean of a normal demand: a normal draw is below 0 in at most 0.6 % of samples
(read as 0 demand, raising the mean by at most 0.08 %); a more uncertain style is lognormal or
negative binomial."""

Shape = Annotated[Real, Field(gt=0, le=MAX_SHAPE, allow_inf_nan=False)]
"""A negative-binomial n, the number of successes [dimensionless]."""


class DistributionName(StrEnum):
    """The family of a style's demand distribution in each period."""

    NORMAL = "normal"
    LOGNORMAL = "lognormal"
    NEGATIVE_BINOMIAL = "negative_binomial"


class StyleDistribution(Model):
    """One style's demand distribution in each period.

    ``mean`` with ``sd`` or ``cv``, or ``n`` with ``p`` (negative binomial only). A number holds
    for every period; a list gives one per period.
    """

    distribution: DistributionName | None = None
    """``normal``, ``lognormal`` or ``negative_binomial``; omitted: the block's
    ``distribution``."""
    mean: Units | list[Units] | None = None
    """Expected spot demand per period [units/period]."""
    sd: Units | list[Units] | None = None
    """Standard deviation of spot demand per period [units/period]. Normal: at most 0.4 ×
    mean; negative binomial: sd² above the mean (its variance exceeds its mean)."""
    cv: Factor | list[Factor] | None = None
    """Coefficient of variation, sd / mean (alternative to ``sd``) [dimensionless]."""
    n: Shape | list[Shape] | None = None
    """Negative binomial: number of successes n > 0, as ``scipy.stats.nbinom`` takes it; mean
    n(1 − p)/p, variance n(1 − p)/p² (alternative to ``mean`` and ``sd``) [dimensionless]."""
    p: OpenShare | list[OpenShare] | None = None
    """Negative binomial: success probability p in (0, 1), with ``n`` [probability]."""

    @model_validator(mode="after")
    def _one_parameterisation(self) -> Self:
        by_moments = self.mean is not None or self.sd is not None or self.cv is not None
        by_shape = self.n is not None or self.p is not None
        if by_moments and by_shape:
            raise ValueError("give mean with sd or cv, or n with p (negative binomial), not both")
        if by_shape and (self.n is None or self.p is None):
            raise ValueError("n and p go together: give both")
        if by_moments and (self.mean is None or (self.sd is None) == (self.cv is None)):
            raise ValueError("give the mean and exactly one of sd or cv")
        if not (by_moments or by_shape):
            raise ValueError("give mean with sd or cv, or n with p (negative binomial)")
        return self


class CorrelationPair(Model):
    """The correlation of two styles, where it differs from the block's ``correlation``."""

    products: list[Id] = Field(min_length=2, max_length=2)
    """The two product ids, e.g. ``[DRESS-01, TEE-02]``."""
    correlation: Real = Field(ge=-1, le=1)
    """Correlation of the two styles' normal scores (the Gaussian copula) [dimensionless]."""


class ParametricDemand(Model):
    """Spot demand from a distribution per style and period, correlated across styles.

    Sampled and reduced to weighted scenarios for the plan; ``simulate`` draws fresh samples.
    """

    products: dict[str, StyleDistribution] = Field(min_length=1)
    """Distribution per product id; products not listed have no spot demand."""
    distribution: DistributionName = DistributionName.NORMAL
    """Family of every style that does not name its own."""
    correlation: Real = Field(0.0, ge=-1, le=1)
    """Correlation of every pair of styles, of their normal scores (Gaussian copula; for normal
    demand the correlation of demand itself) [dimensionless]."""
    correlations: list[CorrelationPair] = Field(default_factory=list)
    """Pairs of styles whose correlation differs from ``correlation``: together they are the
    correlation matrix over the styles, which must be positive semi-definite."""
    period_correlation: Share = 0.0
    """Correlation of a style's normal scores between two periods (0: periods independent; 1:
    a style sells above its mean in every period or in none) [dimensionless]."""
    samples: Whole = Field(2_000, ge=1, le=1_000_000)
    """Monte Carlo samples drawn from the distribution [samples]."""
    scenarios_kept: Whole = Field(50, ge=1, le=MAX_SCENARIOS_KEPT)
    """Weighted scenarios the samples are reduced to for the plan (all samples when equal to
    ``samples``) [scenarios]."""
    reduction: ReductionMethod = ReductionMethod.KMEANS
    """``kmeans`` (clusters of whole demand tables) or ``quantile`` (strata of total demand)."""
    seed: Whole = Field(0, ge=0, le=2**32 - 1)
    """Seed of the sampling and reduction: the same seed gives the same scenarios."""

    @model_validator(mode="after")
    def _kept_within_samples(self) -> Self:
        if self.scenarios_kept > self.samples:
            raise ValueError(
                f"scenarios_kept ({self.scenarios_kept}) must not exceed samples ({self.samples})"
            )
        return self


__all__ = [
    "MAX_NORMAL_CV",
    "CorrelationPair",
    "DistributionName",
    "ParametricDemand",
    "StyleDistribution",
]
