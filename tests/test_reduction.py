"""Scenario reduction: 10,000 samples to a few weighted scenarios that keep the distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.demand.distribution import DemandModel
from flexsupply.demand.forecast import signal_forecast, signal_scenarios
from flexsupply.demand.reduction import reduce_scenarios

SIGNALS = Path(__file__).parent / "data" / "signals"
DEMO = Path(__file__).parent.parent / "scenarios" / "signals-demo.yaml"

MEAN_TOLERANCE = 1e-9
"""Relative error of expected demand the reduction keeps (kept scenarios are scaled to it)."""


def styles(n_products: int = 6, n_periods: int = 8) -> DemandModel:
    rng = np.random.default_rng(4)
    return DemandModel(
        product_ids=tuple(f"S{p}" for p in range(n_products)),
        base=rng.uniform(5, 60, (n_products, 1)) * np.ones((1, n_periods)),
        dispersion=np.full(n_products, 2.0),
        hit_sigma=np.full(n_products, 0.5),
        common_sigma=np.full(n_products, 0.25),
        level=np.ones(n_products),
    )


SAMPLES = styles().sample(10_000, seed=5)


def season_stats(futures: DemandScenarios) -> tuple[np.ndarray, np.ndarray]:
    season = futures.units.sum(axis=2)
    mean = futures.probabilities @ season
    sd = np.sqrt(futures.probabilities @ (season - mean) ** 2)
    return mean, sd


# Stated tolerances with six styles that hit and flop mostly on their own: k-means groups keep the
# spread well; strata of total demand (meant for one product) keep it less well.
SPREAD_TOLERANCE = {"kmeans": (0.1, 0.25), "quantile": (0.2, 0.3)}
"""Largest season-SD error and P10/P50/P90 error (in SDs) allowed per method."""


@pytest.mark.parametrize("method", ["kmeans", "quantile"])
@pytest.mark.parametrize("n_kept", [50, 200])
def test_reduction_keeps_expected_demand_and_reports_its_errors(method: str, n_kept: int) -> None:
    reduction = reduce_scenarios(SAMPLES, n_kept, method, seed=0)
    kept, report = reduction.scenarios, reduction.report

    assert kept.n_scenarios == n_kept
    assert kept.units.shape[1:] == SAMPLES.units.shape[1:]
    assert kept.probabilities.sum() == pytest.approx(1)
    np.testing.assert_allclose(kept.expected(), SAMPLES.expected(), rtol=MEAN_TOLERANCE)
    assert report.mean_error <= MEAN_TOLERANCE
    # The report says what the kept scenarios lose, and it is the truth.
    sample_mean, sample_sd = season_stats(SAMPLES)
    kept_mean, kept_sd = season_stats(kept)
    np.testing.assert_allclose(kept_mean, sample_mean, rtol=MEAN_TOLERANCE)
    assert report.sd_error == pytest.approx(np.abs(kept_sd / sample_sd - 1).max())
    sd_tolerance, quantile_tolerance = SPREAD_TOLERANCE[method]
    assert report.sd_error < sd_tolerance
    assert report.quantile_error < quantile_tolerance
    assert (report.n_samples, report.n_kept, report.method) == (10_000, n_kept, method)


def test_kept_scenarios_keep_the_week_to_week_spread_and_no_negative_demand() -> None:
    kept = reduce_scenarios(SAMPLES, 50, seed=0).scenarios

    sample_sd = np.sqrt(
        np.einsum("w,wpt->pt", SAMPLES.probabilities, (SAMPLES.units - SAMPLES.expected()) ** 2)
    )
    kept_sd = np.sqrt(
        np.einsum("w,wpt->pt", kept.probabilities, (kept.units - kept.expected()) ** 2)
    )
    assert np.median(kept_sd / sample_sd) == pytest.approx(1, abs=0.15)
    assert kept.units.min() >= 0


def test_more_scenarios_fit_better() -> None:
    coarse = reduce_scenarios(SAMPLES, 20, seed=0).report
    fine = reduce_scenarios(SAMPLES, 200, seed=0).report

    assert fine.distortion < coarse.distortion
    assert fine.quantile_error < coarse.quantile_error


def test_reduction_is_reproducible_by_seed() -> None:
    first = reduce_scenarios(SAMPLES, 40, seed=3)
    again = reduce_scenarios(SAMPLES, 40, seed=3)

    np.testing.assert_array_equal(first.scenarios.units, again.scenarios.units)
    np.testing.assert_array_equal(first.scenarios.probabilities, again.scenarios.probabilities)
    np.testing.assert_array_equal(first.assignment, again.assignment)


def test_kept_scenarios_are_named_in_order_of_total_demand_with_their_group_mass() -> None:
    reduction = reduce_scenarios(SAMPLES, 30, seed=0)
    kept = reduction.scenarios

    assert kept.names == sorted(kept.names)
    assert all(name.startswith("demand-p") for name in kept.names)
    middle = 100 * (np.cumsum(kept.probabilities) - kept.probabilities / 2)
    assert [float(name.removeprefix("demand-p")) for name in kept.names] == pytest.approx(
        middle, abs=0.05 if "." in kept.names[0] else 0.5
    )
    totals = kept.units.sum(axis=(1, 2))
    assert np.all(np.diff(totals) >= 0)
    mass = np.bincount(reduction.assignment, weights=SAMPLES.probabilities, minlength=30)
    np.testing.assert_allclose(kept.probabilities, mass)


def test_asking_for_as_many_scenarios_as_samples_keeps_them_all() -> None:
    few = styles().sample(25, seed=1)

    reduction = reduce_scenarios(few, 100)

    assert reduction.scenarios.n_scenarios == 25
    order = np.argsort(few.units.sum(axis=(1, 2)), kind="stable")
    np.testing.assert_array_equal(reduction.scenarios.units, few.units[order])
    assert reduction.report.mean_error == pytest.approx(0, abs=1e-12)
    assert reduction.report.sd_error == pytest.approx(0, abs=1e-12)
    assert reduction.report.distortion == 0


def test_weighted_samples_keep_their_weighted_mean() -> None:
    rng = np.random.default_rng(2)
    weights = rng.uniform(0.1, 1, SAMPLES.n_scenarios)
    weighted = DemandScenarios(SAMPLES.units, weights / weights.sum(), SAMPLES.names)

    kept = reduce_scenarios(weighted, 60, seed=0).scenarios

    np.testing.assert_allclose(kept.expected(), weighted.expected(), rtol=MEAN_TOLERANCE)
    assert kept.probabilities.sum() == pytest.approx(1)


def test_one_product_one_period_quantile_strata_keep_the_quantiles() -> None:
    single = DemandModel(
        ("A",), np.array([[1000.0]]), np.array([50.0]), np.zeros(1), np.zeros(1), np.ones(1)
    )
    samples = single.sample(10_000, seed=0)

    report = reduce_scenarios(samples, 200, "quantile", seed=0).report

    assert report.quantile_error < 0.05
    assert report.sd_error < 0.02


def test_summary_states_the_errors() -> None:
    report = reduce_scenarios(SAMPLES, 50, seed=0).report

    assert report.summary() == (
        f"10,000 samples → 50 scenarios (kmeans); expected demand within {report.mean_error:.1%}, "
        f"season SD within {report.sd_error:.1%}, "
        f"P10/P50/P90 within {report.quantile_error:.2f} SD"
    )


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="n_kept"):
        reduce_scenarios(SAMPLES, 0)
    with pytest.raises(ValueError, match="medoids"):
        reduce_scenarios(SAMPLES, 10, "medoids")


# --- signal scenarios feed the plan --------------------------------------------------------------


def test_demand_scenarios_of_a_signal_scenario_are_sampled_and_reduced_by_its_seed() -> None:
    scenario = fs.load(SIGNALS / "basic.yaml")

    futures = demand_scenarios(scenario)
    again = demand_scenarios(fs.load(SIGNALS / "basic.yaml"))

    assert futures.n_scenarios == 20
    assert futures.units.shape == (20, 2, 6)
    np.testing.assert_array_equal(futures.units, again.units)
    np.testing.assert_array_equal(futures.units, signal_scenarios(scenario).scenarios.units)
    other = signal_scenarios(scenario, seed=4).scenarios
    assert not np.array_equal(futures.units, other.units)


def test_signal_scenarios_keep_the_updated_models_mean() -> None:
    scenario = fs.load(DEMO)

    reduction = signal_scenarios(scenario)

    model = signal_forecast(scenario).after
    # 10,000 samples: the sampled mean is within a few standard errors of the model's.
    season_sd = np.sqrt(model.season_variance())
    gap = reduction.scenarios.expected().sum(axis=1) - model.season_mean()
    assert np.all(np.abs(gap) < 4 * season_sd / np.sqrt(10_000))
    assert reduction.report.mean_error <= MEAN_TOLERANCE


def test_a_signal_scenario_solves_on_both_backends(backend: str) -> None:
    plan = fs.solve(fs.load(SIGNALS / "basic.yaml"), backend)

    assert plan.status in ("optimal", "feasible")
    assert plan.gap < 1e-3
    assert plan.objective > 0
