"""Repurchase from own buyers: sales in t create demand in t + L (``levers.repurchase``).

A share r_c of the buyers that channel c brought in period t buys the style again L_c periods
later. Spot sales are split over the channels by the signals' expected sales w_c[p,t] (the mix
``flexsupply.demand.returns`` uses for returns), presale buyers count when their units ship:

    D'[ω,p,t+L_c] = D[ω,p,t+L_c] + Σ_c r_c·w_c[p,t]·sales[p,t,ω] + r_pre·Σ_r ship[r,t,ω]

Demand given as tables has no channels: every spot sale comes back at the block's rate.
"""

from __future__ import annotations

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.demand.signals import CHANNELS, signal_means
from flexsupply.scenario import Scenario
from flexsupply.scenario.levers import Repurchase


def channel_rates(
    scenario: Scenario, repurchase: Repurchase
) -> list[tuple[float, int, FloatArray]]:
    """Returns how spot sales come back: ``(rate, lag, weight)`` per channel.

    ``weight`` ``(P, T)`` is the channel's share of the spot sales of each product and period;
    the weights of a product and period sum to 1.

    Returns:
        One ``(rate [share], lag [periods], weight [share])`` per channel that brings sales.
    """
    periods = scenario.horizon.periods
    n_prod = len(scenario.products)
    own = {entry.channel.value: entry for entry in repurchase.channels}
    signals = scenario.demand.signals

    def rate_of(channel: str) -> tuple[float, int]:
        entry = own.get(channel)
        if entry is None:
            return repurchase.rate, repurchase.lag_periods
        return entry.rate, entry.lag_periods or repurchase.lag_periods

    if signals is None:
        return [(repurchase.rate, repurchase.lag_periods, np.ones((n_prod, periods)))]
    units = signal_means(signals, scenario.product_ids, periods).units
    total = units.sum(axis=0)
    found = []
    for c, channel in enumerate(CHANNELS):
        weight = np.where(total > 0, units[c] / np.maximum(total, 1e-300), 0.0)
        found.append((*rate_of(channel), weight))
    # Sales where the signals expect none (table-like periods) come back at the block's rate.
    found.append((repurchase.rate, repurchase.lag_periods, (total <= 0).astype(float)))
    return [entry for entry in found if entry[0] > 0 and entry[2].any()]


def presale_rate(repurchase: Repurchase) -> tuple[float, int]:
    """Returns the repurchase rate [share] and lag [periods] of presale buyers."""
    for entry in repurchase.channels:
        if entry.channel.value == "presale":
            return entry.rate, entry.lag_periods or repurchase.lag_periods
    return repurchase.rate, repurchase.lag_periods


def repurchase_room(
    base: FloatArray,
    channels: list[tuple[float, int, FloatArray]],
    presale: tuple[float, int, FloatArray],
) -> FloatArray:
    """Returns the most demand repurchase can add, given the most demand ``base`` before it.

    ``base`` is ``(Ω, P, T)``; ``presale`` is ``(rate, lag, presale units per product (P,))``.

    Returns:
        An upper bound of the repurchase demand, shape ``(Ω, P, T)`` [units].
    """
    periods = base.shape[2]
    total = base.copy()
    rate_pre, lag_pre, units_pre = presale
    for t in range(periods):
        for rate, lag, weight in channels:
            if t - lag >= 0:
                total[:, :, t] += rate * weight[None, :, t - lag] * total[:, :, t - lag]
        if t - lag_pre >= 0:
            total[:, :, t] += rate_pre * units_pre[None, :]
    room: FloatArray = total - base
    return room


def repurchase_terms(
    channels: list[tuple[float, int, FloatArray]],
    sales: IntArray,
    presale: tuple[float, int, IntArray],
    shipments: IntArray,
) -> list[tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]]:
    """Returns the demand that sales and presale shipments create, as linear terms.

    ``sales`` is ``(P, T, Ω)``; ``presale`` is ``(rate, lag, product of each presale order)``;
    ``shipments`` ``(n_presale, T, Ω)``.

    Returns:
        ``(product, period, scenario, column, coefficient)`` arrays of one shape per source;
        the period may lie beyond the horizon (such terms are dropped by the caller).
    """
    n_prod, periods, n_scen = sales.shape
    p = np.arange(n_prod)[:, None, None]
    t = np.arange(periods)[None, :, None]
    w = np.arange(n_scen)[None, None, :]
    terms = []
    for rate, lag, weight in channels:
        coef = np.broadcast_to((rate * weight)[:, :, None], sales.shape)
        terms.append((p + 0 * t, t + lag + 0 * p, w + 0 * p, sales, coef))
    rate_pre, lag_pre, product = presale
    if rate_pre > 0 and len(product):
        shape = shipments.shape
        terms.append(
            (
                np.broadcast_to(product[:, None, None], shape),
                np.broadcast_to(t + lag_pre, shape),
                np.broadcast_to(w, shape),
                shipments,
                np.full(shape, rate_pre),
            )
        )
    return terms
