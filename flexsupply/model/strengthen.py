"""Valid inequalities that tighten the LP relaxation of the order switches.

For an order of option o placed in t that arrives in a = t + L[o], every good unit is either
sold or shipped in a..l, or still in stock at the end of l. Sales of product p in period u are at
most D[ω,p,u] and presale shipments at most the presale units open in u, so for every l ≥ a:

    γ[s]·x[o,t,ω] ≤ (Σ_{u=a..l} out[ω,p,u])·y[o,t,ω] + I[p,l,ω]

These are the single-period (l,S) inequalities of lot sizing (Barany, Van Roy & Wolsey 1984)
with S = {t}. They cut off fractional switches that pay a sliver of the setup cost for an
order far larger than what sells before stock piles up. Inflows from other orders and returns
only raise I, so they stay valid. Backlog products are left out (their sales may exceed demand).
"""

from __future__ import annotations

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.data import ModelData
from flexsupply.model.program import ProgramBuilder

MAX_WINDOW = 4
"""Longest l − a considered [periods]. Measured on the spring-drop demo, windows up to 4 give
93 % of the relaxation gain of full windows with a quarter of the rows."""


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
    presale_open = np.zeros((n_prod, periods))
    t_index = np.arange(periods)
    window_open = (t_index[None, :] >= pre.ship_from[:, None]) & (
        (t_index[None, :] <= pre.due[:, None]) | ~pre.late_forbidden[:, None]
    )
    np.add.at(presale_open, pre.product, window_open * pre.units_to_ship[:, None])
    outflow = np.moveaxis(demand, 0, 2) + presale_open[:, :, None]  # (P, T, Ω)
    cumulative = np.concatenate([np.zeros((n_prod, 1, n_scen)), np.cumsum(outflow, axis=1)], axis=1)

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
