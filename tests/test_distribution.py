"""The demand model: NegBin × lognormal hit factor × brand factor, checked against scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

import flexsupply as fs
from flexsupply.demand.distribution import DemandModel, funnel_update, signal_model
from flexsupply.demand.signals import FunnelEvidence
from flexsupply.scenario.signals import SignalDemand


def model(
    base: list[list[float]],
    k: list[float],
    hit: list[float],
    common: list[float],
    level: list[float] | None = None,
) -> DemandModel:
    n = len(base)
    return DemandModel(
        product_ids=tuple(f"P{p}" for p in range(n)),
        base=np.asarray(base, dtype=float),
        dispersion=np.asarray(k, dtype=float),
        hit_sigma=np.asarray(hit, dtype=float),
        common_sigma=np.asarray(common, dtype=float),
        level=np.ones(n) if level is None else np.asarray(level, dtype=float),
    )


TWO_STYLES = model(
    [[30, 60, 20], [8, 8, 12]], k=[2, 5], hit=[0.4, 0.3], common=[0.25, 0.25], level=[1.2, 1]
)


def mixture_quantile_oracle(q: float, mean: float, k: float, sigma: float) -> int:
    """The q-quantile of NegBin(k, mean·U), U lognormal with mean 1, by adaptive integration."""

    def cdf(x: int) -> float:
        def integrand(z: float) -> float:
            m = mean * np.exp(sigma * z - sigma**2 / 2)
            return float(stats.nbinom.cdf(x, k, k / (k + m)) * stats.norm.pdf(z))

        return float(integrate.quad(integrand, -9, 9, limit=200)[0])

    x = 0
    step = max(1, int(mean))
    while cdf(x) < q:
        x += step
    low, high = max(x - step, -1), x
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if cdf(middle) >= q else (middle, high)
    return high


def test_same_seed_gives_the_same_samples_and_another_seed_others() -> None:
    first = TWO_STYLES.sample(500, seed=7)
    again = TWO_STYLES.sample(500, seed=7)
    other = TWO_STYLES.sample(500, seed=8)

    np.testing.assert_array_equal(first.units, again.units)
    assert not np.array_equal(first.units, other.units)
    assert first.units.shape == (500, 2, 3)
    assert first.probabilities.sum() == pytest.approx(1)
    assert first.names[:2] == ["sample-1", "sample-2"]


def test_sample_moments_match_the_mixture_moments() -> None:
    samples = TWO_STYLES.sample(400_000, seed=1).units

    np.testing.assert_allclose(samples.mean(axis=0), TWO_STYLES.mean(), rtol=0.01)
    np.testing.assert_allclose(samples.var(axis=0), TWO_STYLES.variance(), rtol=0.03)
    season = samples.sum(axis=2)
    np.testing.assert_allclose(season.var(axis=0), TWO_STYLES.season_variance(), rtol=0.03)
    covariance = np.cov(season.T)
    assert covariance[0, 1] == pytest.approx(TWO_STYLES.season_covariance()[0, 1], rel=0.1)


def test_mixture_moments_are_the_closed_forms() -> None:
    # E[D] = Lμ; Var[D] = Lμ + (Lμ)²((1 + 1/k)e^{s²} − 1) with s² = σ_h² + σ_c².
    mean = 1.2 * 60
    s2 = 0.4**2 + 0.25**2
    expected = mean + mean**2 * ((1 + 1 / 2) * np.exp(s2) - 1)

    assert TWO_STYLES.mean()[0, 1] == pytest.approx(mean)
    assert TWO_STYLES.variance()[0, 1] == pytest.approx(expected)


def test_without_hit_factors_demand_is_scipys_negative_binomial() -> None:
    plain = model([[40, 300]], k=[3], hit=[0], common=[0])
    scipy_nb = [stats.nbinom(3, 3 / (3 + mean)) for mean in (40, 300)]

    np.testing.assert_allclose(plain.mean()[0], [nb.mean() for nb in scipy_nb])
    np.testing.assert_allclose(plain.variance()[0], [nb.var() for nb in scipy_nb])
    quantiles = plain.quantiles([0.1, 0.5, 0.9])[:, 0, :]
    expected = [[nb.ppf(q) for nb in scipy_nb] for q in (0.1, 0.5, 0.9)]
    np.testing.assert_array_equal(quantiles, expected)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_period_quantiles_match_numerical_integration(q: float) -> None:
    sigma = np.sqrt(0.4**2 + 0.25**2)

    found = TWO_STYLES.quantiles([q])[0, 0]

    expected = [mixture_quantile_oracle(q, 1.2 * mean, 2, sigma) for mean in (30, 60, 20)]
    np.testing.assert_array_equal(found, expected)


def test_season_quantiles_match_monte_carlo() -> None:
    season = TWO_STYLES.sample(200_000, seed=3).units.sum(axis=2)
    sd = np.sqrt(TWO_STYLES.season_variance())

    found = TWO_STYLES.season_quantiles([0.1, 0.5, 0.9])

    sampled = np.quantile(season, [0.1, 0.5, 0.9], axis=0)
    assert np.abs(found - sampled).max(axis=0) / sd == pytest.approx([0, 0], abs=0.03)


def test_funnel_update_is_the_normal_normal_posterior_of_log_hit() -> None:
    prior = model([[10, 10]], k=[2], hit=[0.6], common=[0.2])
    evidence = FunnelEvidence(np.array([np.log(1.3)]), np.array([0.2]))

    updated = funnel_update(prior, evidence)

    precision = 1 / 0.36 + 1 / 0.2
    post_mean = (-0.18 / 0.36 + np.log(1.3) / 0.2) / precision
    assert updated.hit_sigma[0] == pytest.approx(np.sqrt(1 / precision))
    assert updated.level[0] == pytest.approx(np.exp(post_mean + 0.5 / precision))
    assert updated.common_sigma[0] == 0.2


def test_funnel_update_leaves_styles_without_evidence_alone() -> None:
    evidence = FunnelEvidence(np.array([np.nan, 0.5]), np.array([np.inf, 0.1]))
    prior = model([[10], [10]], k=[2, 2], hit=[0.5, 0.0], common=[0.2, 0.2])

    updated = funnel_update(prior, evidence)

    np.testing.assert_array_equal(updated.level, prior.level)
    np.testing.assert_array_equal(updated.hit_sigma, prior.hit_sigma)


def test_signal_model_takes_style_overrides_of_the_brand_uncertainty() -> None:
    signals = SignalDemand.model_validate(
        {
            "uncertainty": {"dispersion_k": 2, "hit_sigma": 0.6, "common_sigma": 0.3},
            "products": {
                "A": {"channels": {"search": {"clicks": 400}}},
                "B": {
                    "channels": {"search": {"clicks": 400}},
                    "uncertainty": {"dispersion_k": 4, "hit_sigma": 0},
                },
            },
        }
    )

    built = signal_model(signals, ["A", "B"], 2)

    np.testing.assert_allclose(built.dispersion, [2, 4])
    np.testing.assert_allclose(built.hit_sigma, [0.6, 0])
    np.testing.assert_allclose(built.common_sigma, [0.3, 0.3])
    np.testing.assert_allclose(built.mean(), [[10, 10], [10, 10]])


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        model([[1.0]], k=[1], hit=[0], common=[0], level=[1, 1])


# --- newsvendor through the signal model ---------------------------------------------------------

PRICE, COST, SALVAGE = 10.0, 4.0, 1.0
FRACTILE = (PRICE - COST) / (PRICE - SALVAGE)


def newsvendor(k: float, hit_sigma: float, samples: int) -> fs.Scenario:
    """One product, one period, one shared order; demand 40,000 clicks x 2.5 % = 1,000 mean."""
    return fs.Scenario.model_validate(
        {
            "name": "newsvendor-signals",
            "horizon": {"periods": 1},
            "products": [{"id": "ITEM", "price": PRICE, "salvage_value": SALVAGE}],
            "suppliers": [{"id": "FACTORY", "terms": [{"product": "ITEM", "unit_cost": COST}]}],
            "demand": {
                "signals": {
                    "samples": samples,
                    "scenarios_kept": samples,
                    "seed": 11,
                    "uncertainty": {
                        "dispersion_k": k,
                        "hit_sigma": hit_sigma,
                        "common_sigma": 0,
                    },
                    "products": {
                        "ITEM": {"channels": {"search": {"clicks": 40000, "conversion": 0.025}}}
                    },
                }
            },
        }
    )


@pytest.mark.parametrize(
    ("k", "hit_sigma"),
    [
        pytest.param(50.0, 0.0, id="negative-binomial"),
        pytest.param(20.0, 0.2, id="with-hit-factor"),
    ],
)
def test_newsvendor_order_is_the_critical_fractile_of_the_signal_model(
    backend: str, k: float, hit_sigma: float
) -> None:
    if hit_sigma == 0:
        optimum = float(stats.nbinom(k, k / (k + 1000)).ppf(FRACTILE))
    else:
        optimum = float(mixture_quantile_oracle(FRACTILE, 1000, k, hit_sigma))

    plan = fs.solve(newsvendor(k, hit_sigma, samples=2000), backend)

    assert plan.status == "optimal"
    assert [(order.period, order.scenario) for order in plan.orders] == [(1, None)]
    assert plan.orders[0].quantity == pytest.approx(optimum, rel=0.02)
