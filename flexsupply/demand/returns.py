"""The return share of spot sales per product and period, from the channels that bring them.

Each channel of a style may state its own return rate (livestream sales come back far more often
than private-domain ones, DOMAIN §3). The model plans spot sales with the demand-weighted mix

    ρ[p,t] = Σ_c μ_c[p,t]·ρ_c / Σ_c μ_c[p,t]

where μ_c is the channel's mean demand from the signals and a channel entry without a rate
counts at the product's ``return_rate``. The mix is the same in every demand scenario: the hit
and brand factors scale all channels of a style alike, so the channels' shares of expected
demand do not depend on the scenario. Demand given as tables or listed scenarios has no
channels; its spot sales return at the product's rate.
"""

from __future__ import annotations

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.demand.signals import signal_means
from flexsupply.scenario import Scenario


def spot_return_rates(scenario: Scenario) -> FloatArray:
    """Returns the expected share of spot sales sent back, per product and period.

    Returns:
        ρ[p,t], shape ``(n_products, n_periods)`` [share of units sold], products in file
        order: the channel mix of the signals where they give a product demand in a period,
        else the product's ``return_rate``.
    """
    own = np.array([product.return_rate for product in scenario.products], dtype=float)
    periods = scenario.horizon.periods
    signals = scenario.demand.signals
    if signals is None:
        rates: FloatArray = np.repeat(own[:, None], periods, axis=1)
        return rates
    means = signal_means(signals, scenario.product_ids, periods)
    return means.period_return_rates(own)


__all__ = ["spot_return_rates"]
