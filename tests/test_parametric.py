"""Parametric demand: the newsvendor meets the normal critical fractile, sampled demand has
scipy's moments and the stated correlations, samples repeat by seed, and ``simulate`` draws
fresh ones."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import critical_fractile_quantity
from scipy import stats

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.demand import demand_scenarios, parametric, parametric_model, parametric_scenarios
from flexsupply.demand.sales import reweight_scenarios
from flexsupply.scenario.actuals_io import loads_actuals
from flexsupply.solve.reanchor import updated_demand
from flexsupply.solve.simulate import sample_demand, simulate

TWO_STYLES = Path(__file__).parent / "data" / "parametric" / "two_styles.yaml"
BASICS = Path(__file__).parents[1] / "scenarios" / "basics-replenishment.yaml"
MEAN, SD = 100.0, 20.0
Z_TOLERANCE = 5.0
"""Sampling errors allowed, in standard errors (a fixed seed makes each test deterministic)."""


def newsvendor(
    price: float, cost: float, salvage: float, *, seed: int = 0, kept: int = 2000
) -> fs.Scenario:
    """Returns one style, one period, one shared order, normal demand N(MEAN, SD²) sampled 2,000
    times and reduced to ``kept`` scenarios."""
    block = {"products": {"ITEM": {"mean": MEAN, "sd": SD}}, "samples": 2000}
    return fs.Scenario.model_validate(
        {
            "name": "parametric-newsvendor",
            "horizon": {"periods": 1},
            "products": [{"id": "ITEM", "price": price, "salvage_value": salvage}],
            "suppliers": [{"id": "FACTORY", "terms": [{"product": "ITEM", "unit_cost": cost}]}],
            "demand": {"parametric": {**block, "scenarios_kept": kept, "seed": seed}},
            "options": {"whole_pieces": False},
        }
    )


def one_period(styles: dict[str, Any], samples: int, **block: Any) -> fs.Scenario:
    """Returns a one-period scenario whose demand is ``styles`` (one product per style)."""
    return fs.Scenario.model_validate(
        {
            "horizon": {"periods": block.pop("periods", 1)},
            "products": [{"id": style, "price": 10} for style in styles],
            "suppliers": [
                {"id": "F", "terms": [{"product": style, "unit_cost": 4} for style in styles]}
            ],
            "demand": {
                "parametric": {
                    "products": styles,
                    "samples": samples,
                    "scenarios_kept": 1,
                    **block,
                }
            },
        }
    )


# --- the newsvendor against the closed form ------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "cost", "salvage"),
    [(10.0, 4.0, 1.0), (12.0, 5.0, 0.0), (9.0, 8.0, 0.0)],  # fractiles 2/3, 7/12, 1/9
)
@pytest.mark.parametrize("seed", [0, 1])
def test_newsvendor_orders_the_normal_critical_fractile_within_sampling_error(
    backend: str, price: float, cost: float, salvage: float, seed: int
) -> None:
    scenario = newsvendor(price, cost, salvage, seed=seed)
    fractile = (price - cost) / (price - salvage)
    closed_form = float(stats.norm.ppf(fractile, MEAN, SD))
    # Standard error of a sample quantile: √(q(1 − q)/N) / f(x_q).
    error = math.sqrt(fractile * (1 - fractile) / 2000) / stats.norm.pdf(closed_form, MEAN, SD)

    plan = fs.solve(scenario, backend)

    assert plan.status == "optimal"
    assert [(order.period, order.scenario) for order in plan.orders] == [(1, None)]
    quantity = plan.orders[0].quantity
    assert abs(quantity - closed_form) <= Z_TOLERANCE * error
    demands = demand_scenarios(scenario).units[:, 0, 0].tolist()
    assert quantity == pytest.approx(critical_fractile_quantity(demands, price, cost, salvage))


def test_newsvendor_on_fifty_kept_scenarios_stays_near_the_closed_form(backend: str) -> None:
    scenario = newsvendor(10.0, 4.0, 1.0, kept=50)

    plan = fs.solve(scenario, backend)

    assert demand_scenarios(scenario).n_scenarios == 50
    closed_form = float(stats.norm.ppf(2 / 3, MEAN, SD))
    # One kept scenario stands for 2 % of the probability: about a unit at the fractile.
    assert plan.orders[0].quantity == pytest.approx(closed_form, abs=0.2 * SD)


# --- marginals and correlations against scipy ----------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(
    mean=st.floats(5, 500),
    cv=st.floats(0.05, 1.0),
    family=st.sampled_from(["lognormal", "negative_binomial"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_sampled_moments_are_scipys_within_sampling_error(
    mean: float, cv: float, family: str, seed: int
) -> None:
    sd = cv * mean
    if family == "negative_binomial":
        sd = max(sd, 1.05 * math.sqrt(mean))  # its variance is above its mean
        reference = stats.nbinom(mean**2 / (sd**2 - mean), mean / sd**2)
    else:
        sigma = math.sqrt(math.log1p(cv**2))
        reference = stats.lognorm(sigma, scale=mean * math.exp(-(sigma**2) / 2))
    n = 20_000
    scenario = one_period({"A": {"mean": mean, "sd": sd}}, n, distribution=family)

    drawn = parametric_model(scenario).sample(n, seed).units[:, 0, 0]

    expected_mean, variance, _, excess = (float(v) for v in reference.stats("mvsk"))
    assert expected_mean == pytest.approx(mean, rel=1e-6)
    assert variance == pytest.approx(sd**2, rel=1e-6)
    assert abs(drawn.mean() - mean) <= Z_TOLERANCE * math.sqrt(variance / n)
    # Var of the sample variance is (μ₄ − σ⁴)/N, μ₄ = (excess kurtosis + 3)·σ⁴.
    assert abs(drawn.var() - variance) <= Z_TOLERANCE * variance * math.sqrt((excess + 2) / n)
    if family == "negative_binomial":
        assert np.array_equal(drawn, np.round(drawn))


@pytest.mark.parametrize("q", [0.05, 0.5, 0.95])
def test_negative_binomial_given_by_n_and_p_is_scipys_nbinom(q: float) -> None:
    n = 20_000
    scenario = one_period({"A": {"n": 3.0, "p": 0.05}}, n, distribution="negative_binomial")

    drawn = parametric_model(scenario).sample(n, 3).units[:, 0, 0]

    reference = stats.nbinom(3.0, 0.05)
    share = float(np.mean(drawn <= reference.ppf(q)))
    target = float(reference.cdf(reference.ppf(q)))
    assert abs(share - target) <= Z_TOLERANCE * math.sqrt(target * (1 - target) / n)


@settings(max_examples=30, deadline=None)
@given(
    n=st.lists(st.floats(0.05, 500), min_size=1, max_size=4),
    p=st.floats(0.001, 0.999),
    seed=st.integers(0, 2**32 - 1),
    table=st.booleans(),
)
def test_negative_binomial_quantiles_are_scipys_ppf(
    n: list[float], p: float, seed: int, table: bool
) -> None:
    shapes = np.asarray(n)
    success = np.full(shapes.size, p)
    u = stats.norm.cdf(3 * np.random.default_rng(seed).standard_normal((300, shapes.size)))
    # Without the table (tables too large for the limit) scipy's ppf is called.
    limit = parametric.TABLE_LIMIT if table else 0
    with mock.patch.object(parametric, "TABLE_LIMIT", limit):
        found = parametric.nbinom_quantiles(shapes, success, u)

    # Away from u = 1, where CDF and ppf round apart in the last bits: ppf's definition on
    # scipy's own CDF (the smallest whole x with CDF(x) ≥ u), and scipy's ppf itself.
    clear = u < 1 - 1e-12
    below = stats.nbinom.cdf(found - 1, shapes, success)
    assert np.all(stats.nbinom.cdf(found, shapes, success)[clear] >= u[clear])
    assert np.all(((found == 0) | (below < u))[clear])
    np.testing.assert_array_equal(found[clear], stats.nbinom.ppf(u, shapes, success)[clear])


@settings(max_examples=15, deadline=None)
@given(rho=st.floats(-0.95, 0.95), seed=st.integers(0, 2**32 - 1))
def test_normal_styles_have_the_stated_correlation(rho: float, seed: int) -> None:
    n = 5000
    styles = {"A": {"mean": 100, "sd": 20}, "B": {"mean": 50, "cv": 0.3}}
    scenario = one_period(styles, n, correlation=rho)

    drawn = parametric_model(scenario).sample(n, seed).units[:, :, 0]

    pearson = float(np.asarray(np.corrcoef(drawn.T))[0, 1])
    assert abs(pearson - rho) <= Z_TOLERANCE * (1 - rho**2) / math.sqrt(n - 3) + 1e-3


@pytest.mark.parametrize(
    ("rho", "cholesky"), [(0.0, True), (0.4, True), (-0.5, False), (1.0, False)]
)
def test_correlation_root_factors_the_matrix(rho: float, cholesky: bool) -> None:
    matrix = np.full((3, 3), rho)
    np.fill_diagonal(matrix, 1.0)

    root = parametric.correlation_root(matrix)

    np.testing.assert_allclose(root @ root.T, matrix, atol=1e-12)
    # Positive definite: the unique (lower-triangular) Cholesky factor, the same on any machine.
    assert np.allclose(root, np.tril(root)) == cholesky


@pytest.mark.parametrize("family", ["lognormal", "negative_binomial"])
@pytest.mark.parametrize("rho", [-0.6, 0.3, 0.8])
def test_rank_correlation_is_the_gaussian_copulas(family: str, rho: float) -> None:
    n = 10_000
    styles = {"A": {"mean": 400, "cv": 0.5}, "B": {"mean": 300, "cv": 0.8}}
    scenario = one_period(styles, n, distribution=family, correlation=rho)

    drawn = parametric_model(scenario).sample(n, 11).units[:, :, 0]

    spearman = float(stats.spearmanr(drawn[:, 0], drawn[:, 1]).statistic)
    # Rank correlation of a Gaussian copula: (6/π)·asin(ρ/2); SE about (1 − ρ_s²)/√N.
    expected = 6 / math.pi * math.asin(rho / 2)
    assert abs(spearman - expected) <= Z_TOLERANCE * (1 - expected**2) / math.sqrt(n) + 5e-3


def test_pairs_and_periods_follow_the_correlation_matrix() -> None:
    n = 20_000
    styles = {style: {"mean": 100, "sd": 20} for style in ("A", "B", "C")}
    pairs = [{"products": ["A", "C"], "correlation": -0.2}]
    scenario = one_period(
        styles, n, periods=2, correlation=0.5, correlations=pairs, period_correlation=0.5
    )

    drawn = parametric_model(scenario).sample(n, 5).units  # (n, 3 styles, 2 periods)

    columns = drawn.reshape(n, -1)  # A1 A2 B1 B2 C1 C2
    observed = np.corrcoef(columns.T)
    styles_r = np.array([[1, 0.5, -0.2], [0.5, 1, 0.5], [-0.2, 0.5, 1]])
    periods_r = np.array([[1, 0.5], [0.5, 1]])
    np.testing.assert_allclose(
        observed, np.kron(styles_r, periods_r), atol=Z_TOLERANCE / math.sqrt(n)
    )


# --- seeds, reduction and simulate ----------------------------------------------------------------


def test_planning_scenarios_repeat_by_seed_and_keep_the_sample_mean() -> None:
    text = TWO_STYLES.read_text(encoding="utf-8")
    scenario = fs.loads(text)
    other = fs.loads(text.replace("scenarios_kept: 8", "scenarios_kept: 8\n    seed: 1"))

    first, again, shifted = (demand_scenarios(s) for s in (scenario, scenario, other))

    assert np.array_equal(first.units, again.units)
    assert np.array_equal(first.probabilities, again.probabilities)
    assert not np.array_equal(first.units, shifted.units)
    reduction = parametric_scenarios(scenario)
    assert reduction.scenarios.n_scenarios == 8
    assert reduction.report.mean_error < 1e-9


def test_simulate_samples_are_fresh_and_repeat_by_seed() -> None:
    scenario = fs.load(TWO_STYLES)
    planning = parametric_model(scenario).sample(400, np.random.SeedSequence(0).spawn(2)[0])

    first, source = sample_demand(scenario, 50, seed=0)
    again, _ = sample_demand(scenario, 50, seed=0)
    other, _ = sample_demand(scenario, 50, seed=1)

    assert source == "parametric distribution"
    assert np.array_equal(first.units, again.units)
    assert not np.array_equal(first.units, other.units)
    # Out of sample: no sampled season is one of the planning samples.
    planned = {row.tobytes() for row in planning.units.reshape(400, -1)}
    assert not any(row.tobytes() in planned for row in first.units.reshape(50, -1))


def test_simulate_on_a_parametric_scenario_reports_fresh_samples() -> None:
    scenario = fs.load(TWO_STYLES)

    runs = [simulate(scenario, samples=6, seed=seed, workers=1) for seed in (0, 0, 1)]

    assert runs[0].source == "parametric distribution"
    assert runs[0].n_samples == 6
    assert runs[0].to_dict() == runs[1].to_dict()
    assert not np.array_equal(runs[0].policy("plan").profits, runs[2].policy("plan").profits)


def test_basics_replenishment_tells_the_story_of_its_comments() -> None:
    scenario = fs.load(BASICS)

    plan = fs.solve(scenario, "ortools")

    mill = [o for o in plan.orders if o.scenario is None and o.supplier == "SX-MILL"]
    assert {o.product for o in mill if o.period == 1} == set(scenario.product_ids)
    reordered = dict.fromkeys(plan.scenarios, 0.0)
    for order in plan.orders:
        if order.scenario is not None:
            reordered[order.scenario] += order.quantity
    lowest, highest = reordered[plan.scenarios[0]], reordered[plan.scenarios[-1]]
    assert highest > 3 * max(lowest, 1.0)


def test_forecast_prints_the_season_of_each_style_from_the_planning_samples() -> None:
    result = CliRunner().invoke(main, ["forecast", str(TWO_STYLES)])

    assert result.exit_code == 0, result.output
    drawn = parametric_model(fs.load(TWO_STYLES)).sample(400, np.random.SeedSequence(0).spawn(2)[0])
    season = drawn.units.sum(axis=2)
    lines = result.output.splitlines()
    assert lines[0] == (
        "Forecast for parametric-two-styles: spot demand over the season (3 weeks) [units], "
        "from 400 samples"
    )
    dress = next(line for line in lines if line.startswith("DRESS-01"))
    assert dress.split()[1:4] == [
        "normal",
        f"{season[:, 0].mean():,.0f}",
        f"{season[:, 0].std():,.0f}",
    ]
    assert lines[-1].startswith("  400 samples → 8 scenarios (kmeans)")


def test_replan_reweights_the_kept_scenarios_by_the_sales() -> None:
    scenario = fs.load(TWO_STYLES)
    actuals = loads_actuals(
        "scenario: parametric-two-styles\nas_of_period: 1\nstock: {DRESS-01: 0, TEE-02: 0}\n"
        "sales:\n  - {product: DRESS-01, period: 1, units: 130}\n"
        "  - {product: TEE-02, period: 1, units: 60}\n",
        scenario,
    )
    kept = demand_scenarios(scenario)

    updated = updated_demand(scenario, actuals)

    rows = [kept.names.index(name) for name in updated.names]
    assert np.array_equal(updated.units, kept.units[rows])
    expected = reweight_scenarios(kept, np.array([[130.0], [60.0]])).probabilities
    np.testing.assert_allclose(updated.probabilities, expected)
    assert not np.allclose(updated.probabilities, kept.probabilities[rows])
