"""Valid inequalities that tighten the LP relaxation of the order switches.

For an order of option o placed in t that arrives in a = t + L[o], every good unit is either
sold or shipped in a..l, or still in stock at the end of l. Sales of product p in period u are at
most D[ω,p,u], and presale shipments in a..l at most the units of the presale orders whose
shipping window meets a..l (each ships once), so for every l ≥ a:

    γ[s]·x[o,t,ω] ≤ (Σ_{u=a..l} D[ω,p,u] + Q[p,a,l])·y[o,t,ω] + I[p,l,ω]

where Q[p,a,l] is that presale bound.

These are the single-period (l,S) inequalities of lot sizing (Barany, Van Roy & Wolsey 1984)
with S = {t}. They cut off fractional switches that pay a sliver of the setup cost for an
order far larger than what sells before stock piles up. Inflows from other orders and returns
only raise I, so they stay valid. Backlog products are left out (their sales may exceed demand).
"""

from __future__ import annotations

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.data import ModelData, PresaleData
from flexsupply.model.program import ProgramBuilder

MAX_WINDOW = 4
"""Longest l − a considered [periods]. Measured on the spring-drop demo, windows up to 4 give
93 % of the relaxation gain of full windows with a quarter of the rows."""


def _presale_between(pre: PresaleData, n_prod: int, periods: int) -> FloatArray:
    """Returns the most presale units of each product that can ship in a..l, ``(P, T, T)``.

    A presale order ships its units once, in its window (``ship_from`` to ``due``, or to the
    horizon's end when lateness is allowed), so it counts in full when its window meets a..l.
    """
    t = np.arange(periods)
    last = np.where(pre.late_forbidden, pre.due, periods - 1)
    meets = (pre.ship_from[:, None, None] <= t[None, None, :]) & (
        last[:, None, None] >= t[None, :, None]
    )
    between = np.zeros((n_prod, periods, periods))
    np.add.at(between, pre.product, meets * pre.units_to_ship[:, None, None])
    return between


def add_order_cover_cuts(
    builder: ProgramBuilder,
    data: ModelData,
    demand: FloatArray,
    order: IntArray,
    switch: IntArray,
    upper: FloatArray,
    inventory: IntArray,
) -> int:
    """Adds the single-order (l,S) inequalities for switched orders.

    ``demand`` is ``(Ω, P, T)``; ``order``/``switch`` are ``(O, T, Ω)`` columns; ``upper`` is the
    order bound ``(O, T, Ω)``; ``inventory`` is ``(P, T, Ω)``.

    Returns:
        The number of rows added.
    """
    opts, prods, pre = data.options, data.products, data.presale
    n_scen, n_prod, periods = demand.shape
    t_index = np.arange(periods)
    spot = np.moveaxis(demand, 0, 2)  # (P, T, Ω)
    cumulative = np.concatenate([np.zeros((n_prod, 1, n_scen)), np.cumsum(spot, axis=1)], axis=1)
    presale_between = _presale_between(pre, n_prod, periods)  # (P, T, T)
    candidates = np.flatnonzero((switch >= 0).any(axis=(1, 2)) & ~prods.backlog[opts.product])
    if not len(candidates):
        return 0
    product = opts.product[candidates]
    good = data.suppliers.good_share[opts.supplier[candidates]]
    arrival = t_index[None, :] + opts.lead_time[candidates][:, None]  # (C, T)
    window = min(MAX_WINDOW, periods)
    last = arrival[:, :, None] + np.arange(window)[None, None, :]  # (C, T, W)
    inside = (last < periods) & (arrival[:, :, None] < periods)
    last_c = np.minimum(last, periods - 1)
    arrival_c = np.minimum(arrival, periods - 1)
    p_idx = product[:, None, None, None]
    w_idx = np.arange(n_scen)[None, None, None, :]
    covered = (
        cumulative[p_idx, last_c[:, :, :, None] + 1, w_idx]
        - cumulative[p_idx, arrival_c[:, :, None, None], w_idx]
        + presale_between[p_idx, arrival_c[:, :, None, None], last_c[:, :, :, None]]
    )  # (C, T, W, Ω)
    # Once a window covers the whole order bound the inequality is implied by x ≤ U·y.
    bound = (good[:, None, None] * upper[candidates])[:, :, None, :]
    useful = inside[:, :, :, None] & (covered < bound) & (switch[candidates] >= 0)[:, :, None, :]
    count = int(useful.sum())
    if not count:
        return 0
    c, t, k, w = np.nonzero(useful)
    rows = builder.add_rows("order_cover", (count,), upper=0.0)
    o = candidates[c]
    builder.add_terms(rows, order[o, t, w], good[c])
    builder.add_terms(rows, switch[o, t, w], -covered[c, t, k, w])
    builder.add_terms(rows, inventory[product[c], last_c[c, t, k], w], -1.0)
    return count
