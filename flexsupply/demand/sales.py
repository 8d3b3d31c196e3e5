"""The in-season update: realised spot sales sharpen the demand of the periods still to come.

Signal demand uses the Gamma–Poisson machinery of the presale update (``presale.py``). With U[p]
the style's demand multiplier and the spot sales x[p] of the periods elapsed:

    Λ[p] = L[p]·U[p]·M[p] ~ Gamma(α, β)      season spot demand rate, prior mean M = E[season]
    x[p] | Λ ~ Poisson(Λ · e[p])             e = share of the season's expected demand elapsed
    Λ | x ~ Gamma(α + w·x, β + w·e)          tempered posterior

α = 1/cv² with cv² = exp(σ_c² + σ_h²) − 1 as for the presale. Weekly demand given U is negative
binomial (shape k), so the count is overdispersed: Var[x | U] = E[x]·(1 + Σ_t m_t² / (k·Σ_t m_t)),
and the likelihood is tempered with w = 1 / (1 + Σ_t m_t² / (k·Σ_t m_t)) over the elapsed
periods. The level moves by the ratio of posterior to prior mean and both log-sds shrink so
that exp(s'²) − 1 = 1/(α + w·x), as in ``presale_update``: a style selling twice its forecast
moves up, one selling half moves down, and both become more certain.

Demand stated as scenarios is updated by Bayes' rule on the scenarios: π'[ω] ∝ π[ω]·Π_{p,t}
Poisson(x[p,t] | D[ω,p,t]) over the elapsed periods; scenarios left with less than
``MIN_POSTERIOR`` of the probability are dropped.

Sales are demand only when stock lasted. A period a style sold out in says only that demand
was at least the sales: the scenario update uses P(D ≥ x) there (a censored likelihood), and the
Gamma–Poisson update leaves the period out (its count and its exposure).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from flexsupply.arrays import BoolArray, FloatArray
from flexsupply.demand.distribution import DemandModel
from flexsupply.demand.presale import GammaRate, gamma_prior
from flexsupply.demand.scenarios import DemandScenarios

MIN_POSTERIOR = 1e-6
"""Scenarios whose posterior probability falls below this are dropped [probability]."""

POISSON_FLOOR = 1e-3
"""Demand of a scenario taken as at least this in the likelihood, so that a sale where a
scenario has no demand makes it unlikely rather than impossible [units]."""


@dataclass(frozen=True)
class SalesUpdate:
    """The demand model before and after the sales update, with the Gamma–Poisson details.

    Attributes:
        before: the demand model before the sales.
        after: the demand model updated with the sales.
        prior: Gamma prior of the season spot demand rate [units/season].
        posterior: its posterior after the sales.
        sales: spot sales per product over the elapsed periods [units].
        exposure: share of the season's expected spot demand elapsed per product.
        weight: likelihood weight w per product.
        updated: whether each product was updated (expected demand and uncertainty > 0).
    """

    before: DemandModel
    after: DemandModel
    prior: GammaRate
    posterior: GammaRate
    sales: FloatArray
    exposure: FloatArray
    weight: FloatArray
    updated: BoolArray


def sales_update(
    model: DemandModel, sales: FloatArray, sold_out: BoolArray | None = None
) -> SalesUpdate:
    """Updates a demand model with the spot sales of its first periods.

    Args:
        model: the demand model (usually after the presale update).
        sales: realised spot sales, shape ``(n_products, n_elapsed)`` [units], for periods
            1..n_elapsed; NaN where a style's sales are not known (it is left as it is).
        sold_out: where the style ran out of stock, same shape (default: nowhere); those
            periods are left out.

    Returns:
        ``SalesUpdate``; products without expected demand in the elapsed periods or without
        uncertainty keep their model.
    """
    elapsed = sales.shape[1]
    observed = np.ones(sales.shape, dtype=bool) if sold_out is None else ~sold_out
    mean = model.mean()
    past = np.where(observed, mean[:, :elapsed], 0.0)
    season = mean.sum(axis=1)
    seen = past.sum(axis=1)
    counts = np.where(observed, sales, 0.0).sum(axis=1)
    cv2 = model.multiplier_cv2()
    updated = np.isfinite(counts) & (seen > 0) & (cv2 > 0)
    safe = np.where(updated, 1.0, np.nan)
    exposure = safe * seen / np.where(season > 0, season, 1.0)
    prior = gamma_prior(safe * season, safe * cv2)
    spread = (past**2).sum(axis=1) / (model.dispersion * np.where(seen > 0, seen, 1.0))
    weight = 1.0 / (1.0 + spread)
    posterior = prior.posterior(np.where(updated, counts, np.nan), exposure, weight)
    ratio = posterior.mean() / prior.mean()
    shrink = np.log1p(1.0 / posterior.shape) / np.where(updated, model.log_variance(), 1.0)
    scale = np.sqrt(np.where(updated, np.minimum(shrink, 1.0), 1.0))
    after = replace(
        model,
        level=np.where(updated, model.level * ratio, model.level),
        hit_sigma=model.hit_sigma * scale,
        common_sigma=model.common_sigma * scale,
    )
    return SalesUpdate(model, after, prior, posterior, counts, exposure, weight, updated)


def reweight_scenarios(
    demand: DemandScenarios, sales: FloatArray, sold_out: BoolArray | None = None
) -> DemandScenarios:
    """Updates scenario probabilities with the spot sales of the first periods (Bayes' rule).

    Args:
        demand: the demand scenarios, units ``(Ω, n_products, T)`` [units].
        sales: realised spot sales, shape ``(n_products, n_elapsed)`` [units]; NaN where not
            known (left out of the likelihood).
        sold_out: where the style ran out of stock, same shape (default: nowhere); there the
            likelihood is P(D ≥ sales).

    Returns:
        The scenarios with posterior probabilities (those below ``MIN_POSTERIOR`` dropped), all
        T periods kept.
    """
    elapsed = sales.shape[1]
    known = np.isfinite(sales)
    rate = np.maximum(demand.units[:, :, :elapsed], POISSON_FLOOR)
    x = np.where(known, sales, 0.0)[None]
    censored = np.zeros(sales.shape, dtype=bool) if sold_out is None else sold_out
    exact = x * np.log(rate) - rate
    at_least = stats.poisson.logsf(np.ceil(x) - 1, rate)
    per_period = np.where(censored[None], at_least, exact)
    log_likelihood = np.where(known[None], per_period, 0.0).sum(axis=(1, 2))
    with np.errstate(divide="ignore"):
        log_posterior = np.log(demand.probabilities) + log_likelihood
    posterior = np.exp(log_posterior - log_posterior.max())
    posterior /= posterior.sum()
    keep = np.flatnonzero(posterior >= MIN_POSTERIOR)
    weights = posterior[keep] / posterior[keep].sum()
    return DemandScenarios(demand.units[keep], weights, [demand.names[w] for w in keep])


__all__ = ["MIN_POSTERIOR", "SalesUpdate", "reweight_scenarios", "sales_update"]
