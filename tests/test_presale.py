"""The presale update: Gamma–Poisson conjugacy against scipy, and ``flexsupply forecast``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from planning import plan_for
from scipy import integrate, stats

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.demand.distribution import DemandModel
from flexsupply.demand.forecast import signal_forecast
from flexsupply.demand.presale import (
    GammaRate,
    deposit_rule_notes,
    gamma_prior,
    presale_update,
    scenario_deposits,
    scenario_presale_shares,
)
from flexsupply.model.data import model_data

SIGNALS = Path(__file__).parent / "data" / "signals"
DEMO = Path(__file__).parent.parent / "scenarios" / "signals-demo.yaml"

ALPHA, BETA, DEPOSITS, EXPOSURE = 2.5, 0.01, 60.0, 0.15


def test_posterior_is_gamma_of_shape_plus_count_and_rate_plus_exposure() -> None:
    prior = GammaRate(np.array([ALPHA]), np.array([BETA]))

    posterior = prior.posterior(np.array([DEPOSITS]), np.array([EXPOSURE]))

    expected = stats.gamma(ALPHA + DEPOSITS, scale=1 / (BETA + EXPOSURE))
    assert posterior.shape[0] == ALPHA + DEPOSITS
    assert posterior.rate[0] == BETA + EXPOSURE
    assert posterior.mean()[0] == pytest.approx(expected.mean())
    assert posterior.variance()[0] == pytest.approx(expected.var())


def test_posterior_is_bayes_rule_by_numerical_integration() -> None:
    prior = stats.gamma(ALPHA, scale=1 / BETA)
    posterior = GammaRate(np.array([ALPHA]), np.array([BETA])).posterior(
        np.array([DEPOSITS]), np.array([EXPOSURE])
    )
    closed = stats.gamma(posterior.shape[0], scale=1 / posterior.rate[0])

    def unnormalised(rate: float) -> float:
        return float(prior.pdf(rate) * stats.poisson.pmf(DEPOSITS, rate * EXPOSURE))

    evidence = integrate.quad(unnormalised, 0, 2000, points=[200, 400, 600], limit=200)[0]
    for rate in (250.0, 380.0, 500.0):
        assert unnormalised(rate) / evidence == pytest.approx(closed.pdf(rate), rel=1e-6)


def test_predictive_is_negative_binomial_with_the_posterior_parameters() -> None:
    posterior = GammaRate(np.array([ALPHA + DEPOSITS]), np.array([BETA + EXPOSURE]))

    n, p = posterior.predictive(1.0)

    scipy_nb = stats.nbinom(ALPHA + DEPOSITS, (BETA + EXPOSURE) / (BETA + EXPOSURE + 1))
    assert (n[0], p[0]) == pytest.approx((scipy_nb.args[0], scipy_nb.args[1]))
    mean = (ALPHA + DEPOSITS) / (BETA + EXPOSURE)
    assert stats.nbinom.mean(n, p)[0] == pytest.approx(mean)
    assert stats.nbinom.var(n, p)[0] == pytest.approx(mean + mean**2 / (ALPHA + DEPOSITS))
    # A Poisson count mixed over the Gamma posterior has that law.
    gamma = stats.gamma(ALPHA + DEPOSITS, scale=1 / (BETA + EXPOSURE))
    for y in (300, 390, 480):
        mixed = integrate.quad(
            lambda rate, y=y: stats.poisson.pmf(y, rate) * gamma.pdf(rate), 0, 1500, limit=200
        )[0]
        assert mixed == pytest.approx(scipy_nb.pmf(y), rel=1e-5)


def test_gamma_prior_has_the_mean_and_coefficient_of_variation_asked() -> None:
    prior = gamma_prior(np.array([400.0]), np.array([0.64]))

    assert prior.mean()[0] == pytest.approx(400)
    assert np.sqrt(prior.variance()[0]) / 400 == pytest.approx(0.8)


def two_styles() -> DemandModel:
    return DemandModel(
        product_ids=("A", "B"),
        base=np.array([[30.0] * 10, [20.0] * 10]),
        dispersion=np.array([2.0, 2.0]),
        hit_sigma=np.array([0.6, 0.6]),
        common_sigma=np.array([0.25, 0.25]),
        level=np.ones(2),
    )


def test_plain_update_matches_the_closed_form_on_the_season_rate() -> None:
    before = two_styles()
    cv2 = np.expm1(0.6**2 + 0.25**2)
    share = 0.15

    update = presale_update(before, np.array([80.0, np.nan]), np.array([share, share]), 0.0)

    # Prior on the season rate (presale included): mean 300 / 0.85, CV² = e^{s²} − 1.
    alpha = 1 / cv2
    beta = alpha / (300 / (1 - share))
    assert update.prior.shape[0] == pytest.approx(alpha)
    assert update.prior.rate[0] == pytest.approx(beta)
    assert update.posterior.shape[0] == pytest.approx(alpha + 80)
    assert update.posterior.rate[0] == pytest.approx(beta + share)
    after = update.after
    # Spot season mean is the posterior mean of the rate times the spot share 1 − e.
    assert after.season_mean()[0] == pytest.approx((1 - share) * (alpha + 80) / (beta + share))
    assert after.multiplier_cv2()[0] == pytest.approx(1 / (alpha + 80))
    # The brand factor keeps its share of the log-variance.
    assert (after.common_sigma[0] / after.hit_sigma[0]) == pytest.approx(0.25 / 0.6)
    # Without deposits B is left as it was.
    assert update.updated.tolist() == [True, False]
    assert after.season_mean()[1] == before.season_mean()[1]
    assert after.hit_sigma[1] == before.hit_sigma[1]


def test_share_uncertainty_weighs_the_deposits_down() -> None:
    share, share_cv = 0.15, 0.3
    update = presale_update(two_styles(), np.array([80.0, 40.0]), np.array([share] * 2), share_cv)

    expected_deposits = 300 / (1 - share) * share
    weight = 1 / (1 + share_cv**2 * expected_deposits)
    assert update.weight[0] == pytest.approx(weight)
    assert update.posterior.shape[0] == pytest.approx(update.prior.shape[0] + weight * 80)
    assert update.posterior.rate[0] == pytest.approx(update.prior.rate[0] + weight * share)


def test_deposits_as_expected_narrow_the_forecast_and_keep_its_mean() -> None:
    before = two_styles()
    expected = before.season_mean() / 0.85 * 0.15

    after = presale_update(before, expected, np.array([0.15, 0.15]), 0.3).after

    np.testing.assert_allclose(after.season_mean(), before.season_mean(), rtol=1e-9)
    assert np.all(after.season_variance() < before.season_variance())


def test_more_deposits_than_expected_raise_the_forecast() -> None:
    before = two_styles()

    after = presale_update(before, np.array([200.0, 5.0]), np.array([0.15, 0.15]), 0.3).after

    assert after.season_mean()[0] > before.season_mean()[0]
    assert after.season_mean()[1] < before.season_mean()[1]


def test_deposits_come_from_presale_orders_unless_the_funnel_gives_them() -> None:
    scenario = fs.load(SIGNALS / "basic.yaml")
    data = scenario.model_dump(mode="json")
    data["presale"].append(dict(data["presale"][0], period=2, quantity=15))
    data["products"].append({"id": "SKIRT-01"})
    twice = fs.Scenario.model_validate(data)
    data["demand"]["signals"]["products"]["DRESS-01"]["observed"]["presale_deposits"] = 70
    observed = fs.Scenario.model_validate(data)

    np.testing.assert_array_equal(scenario_deposits(scenario), [40, np.nan])
    np.testing.assert_array_equal(scenario_deposits(twice), [55, np.nan, np.nan])
    np.testing.assert_array_equal(scenario_deposits(observed), [70, np.nan, np.nan])
    np.testing.assert_array_equal(scenario_presale_shares(observed), [0.15, 0.2, 0.15])


# --- flexsupply forecast -------------------------------------------------------------------------


def test_forecast_prints_quantiles_before_and_after_the_update() -> None:
    result = CliRunner().invoke(main, ["forecast", str(SIGNALS / "basic.yaml")])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Forecast for signals-basic: spot demand over the season (6 weeks) [units]"
    assert lines[3].split() == [
        "style", "factor", "mean", "P10", "P50", "P90", "(share)",
        "mean", "P10", "P50", "P90", "narrower",
    ]  # fmt: skip
    forecast = signal_forecast(fs.load(SIGNALS / "basic.yaml"))
    before = forecast.before.season_quantiles([0.1, 0.5, 0.9])[:, 0]
    after = forecast.after.season_quantiles([0.1, 0.5, 0.9])[:, 0]
    narrower = 1 - (after[2] - after[0]) / (before[2] - before[0])
    dress = lines[4].split()
    assert dress[0] == "DRESS-01"
    assert [float(value.replace(",", "")) for value in dress[3:6]] == before.tolist()
    assert dress[6:8] == ["40", "(15%)"]
    assert [float(value.replace(",", "")) for value in dress[9:12]] == after.tolist()
    assert dress[12] == f"{narrower:.0%}"
    assert lines[5].split()[:9] == ["TOP-01", "1.00", "38", "16", "33", "65", "-", "(20%)", "38"]
    assert lines[5].split()[-1] == "0%"
    assert "  DRESS-01: 35% spot (channel mix), 40% presale" in lines
    assert lines[-1].startswith("  2,000 samples → 20 scenarios (kmeans); expected demand within")


def test_forecast_of_demo_narrows_every_presold_style() -> None:
    forecast = signal_forecast(fs.load(DEMO))

    presold = forecast.presale.updated
    assert presold.sum() == 5
    assert np.all(forecast.width_reduction()[~presold] == 0)
    assert np.all(
        forecast.after.multiplier_cv2()[presold] < forecast.before.multiplier_cv2()[presold]
    )


def test_forecast_needs_a_signal_block() -> None:
    path = SIGNALS.parent / "cli" / "small.yaml"
    result = CliRunner().invoke(main, ["forecast", str(path)])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: 1 problem in {path}\n"
        f"  {path}  demand: no signal or parametric block: the forecast needs demand given by "
        "`demand.signals` or `demand.parametric`\n"
    )


# --- deposit expansion ---------------------------------------------------------------------------

# One style pre-sold in week 1: 100 deposits of 30 against a presale price of 180; 80 % of the
# buyers pay the balance and are shipped in week 2 (made in week 1, one week's lead time, paid
# on delivery). 10 % of the shipped units come back a week later, refunded what was paid.
EXPANSION = """
    horizon: {{periods: 4}}
    products:
      - {{id: COAT, price: 200, return_rate: 0.1, return_lag_periods: 1, resellable_share: 0}}
    suppliers:
      - id: MILL
        terms:
          - {{product: COAT, unit_cost: 50, lead_time_periods: 1}}
    presale:
      - {{product: COAT, period: 1, quantity: 100, price: 180, deposit: 30,
         {expansion}conversion_rate: 0.8, promise_periods: 1}}
    cash:
      initial: 0
"""


@pytest.mark.parametrize(
    ("expansion", "bonus", "paid", "cash"),
    [
        # A 30 deposit counts as 60: each converted unit brings 30 + (180 − 60) = 150.
        # Week 2: +80·120 − 80·50 = 5,600; week 3: −8 refunds of 150.
        pytest.param("deposit_expansion: 60, ", 30, 150, [3000, 8600, 7400, 7400], id="50-as-60"),
        # Without expansion each converted unit brings 30 + 150 = 180.
        pytest.param("", 0, 180, [3000, 11000, 9560, 9560], id="face-value"),
    ],
)
def test_deposit_expansion_lowers_the_balance_and_the_refund(
    backend: str, expansion: str, bonus: float, paid: float, cash: list[float]
) -> None:
    plan = plan_for(EXPANSION.format(expansion=expansion), backend)

    # All 100 deposits are kept (20 buyers walk away), 80 balances at face value 150.
    assert plan.kpis.revenue_by_kind["presale_deposits"] == pytest.approx(3000)
    assert plan.kpis.revenue_by_kind["presale_balance"] == pytest.approx(80 * 150)
    assert plan.kpis.costs["deposit_expansion"] == pytest.approx(80 * bonus)
    assert plan.kpis.costs["refunds"] == pytest.approx(8 * paid)
    assert plan.kpis.costs["purchase"] == pytest.approx(80 * 50)
    assert plan.objective == pytest.approx(3000 + 80 * (150 - bonus) - 4000 - 8 * paid)
    assert plan.cash is not None
    assert plan.cash[0] == pytest.approx(cash)


@pytest.mark.parametrize(
    ("order", "path", "message"),
    [
        pytest.param(
            "{product: COAT, period: 1, quantity: 10, deposit: 40, deposit_expansion: 30, "
            "promise_periods: 1}",
            "presale[0]",
            "deposit_expansion (30) must be at least the deposit (40)",
            id="below-deposit",
        ),
        pytest.param(
            "{product: COAT, period: 1, quantity: 10, price: 150, deposit: 40, "
            "deposit_expansion: 160, promise_periods: 1}",
            "presale[0]",
            "deposit_expansion (160) must not exceed the price (150)",
            id="above-presale-price",
        ),
        pytest.param(
            "{product: COAT, period: 1, quantity: 10, deposit: 40, deposit_expansion: 220, "
            "promise_periods: 1}",
            "presale[0].deposit_expansion",
            "deposit_expansion (220) must not exceed the price (200, the price of COAT)",
            id="above-product-price",
        ),
    ],
)
def test_deposit_expansion_outside_deposit_and_price_is_a_located_error(
    order: str, path: str, message: str
) -> None:
    text = f"""\
horizon: {{periods: 2}}
products:
  - {{id: COAT, price: 200}}
suppliers:
  - {{id: MILL, terms: [{{product: COAT, unit_cost: 50}}]}}
presale:
  - {order}
"""
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, source="d11.yaml")

    (problem,) = caught.value.problems
    assert problem.path == path
    assert problem.line == 7
    assert message in problem.message


def test_deposit_above_the_platform_cap_is_noted_not_refused() -> None:
    scenario = fs.load(SIGNALS / "basic.yaml")
    data = scenario.model_dump(mode="json")
    data["presale"][0]["deposit"] = 30
    high = fs.Scenario.model_validate(data)

    assert deposit_rule_notes(scenario) == []
    assert deposit_rule_notes(high) == [
        "presale[0] (DRESS-01, period 1): deposit 30 is 23% of the price 129"
    ]
    assert "  presale[0] (DRESS-01, period 1): deposit 30 is 23% of the price 129" in (
        signal_forecast(high).table().splitlines()
    )


# Made in week 1 only (the factory is booked after), held at 1 a unit and week until shipped.
BALANCE = """
    horizon: {{periods: 4}}
    products:
      - {{id: COAT, price: 200, holding_cost: 1}}
    suppliers:
      - id: MILL
        capacity: [1000, 0, 0, 0]
        terms:
          - {{product: COAT, unit_cost: 50}}
    presale:
      - {{product: COAT, period: 1, quantity: 100, price: 180, deposit: 30,
         conversion_rate: 0.8, {balance}promise_periods: 1}}
"""


@pytest.mark.parametrize(
    ("balance", "shipped", "due", "held"),
    [
        # The balance is paid in week 3: 80 units wait two weeks in stock, due by week 4.
        pytest.param("balance_period: 3, ", [0, 0, 80, 0], 4, 160, id="balance-in-week-3"),
        # Without a balance period they ship at once.
        pytest.param("", [80, 0, 0, 0], 2, 0, id="at-once"),
    ],
)
def test_presale_ships_from_its_balance_period(
    backend: str, balance: str, shipped: list[float], due: int, held: float
) -> None:
    plan = plan_for(BALANCE.format(balance=balance), backend)

    (service,) = plan.presale
    assert service.due_period == due
    assert service.shipped_by_period == pytest.approx(shipped)
    assert service.on_time_share == pytest.approx(1)
    assert plan.kpis.costs["holding"] == pytest.approx(held)
    # 100 deposits of 30, 80 balances of 150, 80 made at 50.
    assert plan.objective == pytest.approx(3000 + 80 * 150 - 80 * 50 - held)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        pytest.param(
            "balance_period: 1", "balance_period (1) must not come before the deposits (period 2)"
        ),
        pytest.param("balance_period: 5", "must be within the horizon 1..4, got 5"),
    ],
)
def test_balance_period_outside_deposits_and_horizon_is_a_located_error(
    field: str, message: str
) -> None:
    text = f"""\
horizon: {{periods: 4}}
products:
  - {{id: COAT, price: 200}}
suppliers:
  - {{id: MILL, terms: [{{product: COAT, unit_cost: 50}}]}}
presale:
  - {{product: COAT, period: 2, quantity: 10, promise_periods: 1, {field}}}
"""
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, source="d11.yaml")

    (problem,) = caught.value.problems
    assert problem.line == 7
    assert message in problem.message


# --- the 11.11 scenario --------------------------------------------------------------------------

DOUBLE11 = Path(__file__).parent.parent / "scenarios" / "double11-presale.yaml"


def test_double11_presale_keeps_the_platform_rules() -> None:
    scenario = fs.load(DOUBLE11)
    data = model_data(scenario)

    assert scenario.horizon.period_length == "day"
    assert 10 <= len(scenario.products) <= 15
    assert deposit_rule_notes(scenario) == []
    waves = {(order.period, order.balance_period) for order in scenario.presale}
    assert waves == {(1, 15), (16, 23)}  # 20 Oct → 3 Nov, 4 Nov → 11 Nov
    for r, order in enumerate(scenario.presale):
        assert order.price is not None
        assert order.deposit <= 0.2 * order.price
        assert order.deposit_expansion is not None
        assert order.deposit < order.deposit_expansion <= 2 * order.deposit
        assert data.presale.expansion[r] == order.deposit_expansion - order.deposit
        assert data.presale.ship_from[r] == (order.balance_period or 0) - 1
    # Wave 2 ships by 18 Nov (day 30), Tmall's rule for 11.11 orders.
    assert max(data.presale.due) + 1 == 30
