"""The in-season sales update: Gamma–Poisson on signal demand, Bayes' rule on scenario tables."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from flexsupply.demand import DemandModel, DemandScenarios
from flexsupply.demand.sales import MIN_POSTERIOR, reweight_scenarios, sales_update


def two_styles() -> DemandModel:
    return DemandModel(
        product_ids=("A", "B"),
        base=np.array([[30.0] * 10, [20.0] * 10]),
        dispersion=np.array([2.0, 2.0]),
        hit_sigma=np.array([0.6, 0.6]),
        common_sigma=np.array([0.25, 0.25]),
        level=np.ones(2),
    )


def test_update_is_the_tempered_conjugate_posterior_of_the_season_rate() -> None:
    before = two_styles()
    sales = np.array([[50.0, 70.0], [np.nan, np.nan]])
    update = sales_update(before, sales)
    cv2 = np.expm1(0.6**2 + 0.25**2)
    alpha, beta = 1 / cv2, (1 / cv2) / 300
    # Two of ten flat periods elapsed; NegBin(k = 2) periods temper the count.
    weight = 1 / (1 + (2 * 30.0**2) / (2 * 60.0))
    assert update.exposure[0] == pytest.approx(0.2)
    assert update.weight[0] == pytest.approx(weight)
    assert update.posterior.shape[0] == pytest.approx(alpha + weight * 120)
    assert update.posterior.rate[0] == pytest.approx(beta + weight * 0.2)
    ratio = (alpha + weight * 120) / (beta + weight * 0.2) / 300
    assert update.after.level[0] == pytest.approx(ratio)
    assert update.after.multiplier_cv2()[0] == pytest.approx(1 / (alpha + weight * 120))
    assert update.updated.tolist() == [True, False]
    assert update.after.season_mean()[1] == before.season_mean()[1]


def test_selling_twice_the_forecast_moves_up_and_half_moves_down() -> None:
    before = two_styles()
    expected = before.mean()[:, :3]
    up = sales_update(before, 2 * expected).after
    down = sales_update(before, 0.5 * expected).after
    assert np.all(up.season_mean() > before.season_mean())
    assert np.all(down.season_mean() < before.season_mean())
    assert np.all(up.multiplier_cv2() < before.multiplier_cv2())


def test_sold_out_periods_are_left_out_of_the_gamma_update() -> None:
    before = two_styles()
    sales = np.array([[30.0, 5.0], [20.0, 20.0]])
    sold_out = np.array([[False, True], [False, False]])
    censored = sales_update(before, sales, sold_out)
    first_only = sales_update(before, sales[:, :1])
    assert censored.after.level[0] == pytest.approx(first_only.after.level[0])
    assert censored.exposure[0] == pytest.approx(0.1)


def futures() -> DemandScenarios:
    units = np.array([[[60.0, 80.0, 90.0]], [[20.0, 25.0, 25.0]]])
    return DemandScenarios(units, np.array([0.5, 0.5]), ["hit", "flop"])


def test_scenarios_are_reweighted_by_bayes_rule_with_poisson_likelihoods() -> None:
    demand = futures()
    sales = np.array([[40.0]])
    posterior = reweight_scenarios(demand, sales)
    log_hit = 40 * np.log(60) - 60
    log_flop = 40 * np.log(20) - 20
    hit = 1 / (1 + np.exp(log_flop - log_hit))
    assert posterior.probabilities == pytest.approx([hit, 1 - hit])
    assert posterior.names == ["hit", "flop"]


def test_sales_of_one_future_leave_only_that_future() -> None:
    demand = futures()
    posterior = reweight_scenarios(demand, np.array([[60.0, 80.0]]))
    assert posterior.names == ["hit"]
    assert posterior.probabilities.tolist() == [1.0]
    assert posterior.units.shape == (1, 1, 3)


def test_a_sold_out_period_only_says_demand_was_at_least_the_sales() -> None:
    demand = futures()
    posterior = reweight_scenarios(demand, np.array([[20.0]]), np.array([[True]]))
    hit, flop = stats.poisson.sf(19, 60.0), stats.poisson.sf(19, 20.0)
    assert posterior.probabilities == pytest.approx([hit / (hit + flop), flop / (hit + flop)])
    # Sold out after 3 units: both futures surely had that much, nothing is learnt.
    posterior = reweight_scenarios(demand, np.array([[3.0]]), np.array([[True]]))
    assert posterior.probabilities == pytest.approx([0.5, 0.5], abs=MIN_POSTERIOR)
