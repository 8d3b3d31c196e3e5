"""In-season markdowns and end-of-season clearance (``levers.markdown``, ``levers.clearance``).

For a marked-down style p, price point k (discount δ_k, demand multiplier m_k) is chosen in
period t by z[p,t,k] ∈ {0,1}, Σ_k z ≤ 1 (none: the full price); the choice is shared by all
scenarios before the reveal period and per scenario from it on. Spot demand becomes
D[ω,p,t]·(1 + Σ_k (m_k − 1)·z[p,t,k]); campaign lifts and repurchase add to it unscaled. The
discount is paid on every unit sold while a point is on, through v[p,t,k,ω] ≥ sales − U·(1 − z)
(U: the most the style can sell then), costing δ_k·P[p]·(1 − ρ[p,t])·v (refunds of returned
units are at the price paid).

Clearance sells up to Q[p] units of stock at price P_c[p] in its period (the last by default),
above the salvage value of what is left after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.campaigns import staged_columns
from flexsupply.model.data import ModelData
from flexsupply.model.program import ProgramBuilder
from flexsupply.model.terms import MoneyLedger
from flexsupply.scenario.levers import Levers


@dataclass(frozen=True)
class MarkdownColumns:
    """Markdown and clearance columns; empty arrays when the scenario has none."""

    product: IntArray
    """Product of each marked-down style entry, ``(M,)``."""
    discount: FloatArray
    """Discount of each price point, ``(M, K)`` (0 for padding) [share of price]."""
    multiplier: FloatArray
    """Demand multiplier of each price point, ``(M, K)`` (1 for padding)."""
    choice: IntArray
    """z[p,t,k]: ``(M, T, K, Ω)``, -1 for padding."""
    discounted_sales: IntArray
    """v[p,t,k,ω]: ``(M, T, K, Ω)``, -1 for padding [units]."""
    clearance_product: IntArray
    """Product of each clearance sale, ``(n_clearance,)``."""
    clearance_period: IntArray
    """0-based period of each clearance sale, ``(n_clearance,)``."""
    clearance: IntArray
    """Units cleared, ``(n_clearance, Ω)``."""


def markdown_room(levers: Levers, product_ids: list[str], demand: FloatArray) -> FloatArray:
    """Returns the most demand the markdowns can add, shape ``(Ω, P, T)`` [units]."""
    room = np.zeros_like(demand)
    index = {pid: p for p, pid in enumerate(product_ids)}
    for markdown in levers.markdown:
        gain = max(max(markdown.multipliers()) - 1.0, 0.0)
        first = markdown.from_period - 1
        for name in markdown.products:
            p = index[name]
            room[:, p, first:] = np.maximum(room[:, p, first:], gain * demand[:, p, first:])
    return room


def add_markdown(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    levers: Levers,
    data: ModelData,
    product_ids: list[str],
    demand: FloatArray,
    potential: FloatArray,
    sales: IntArray,
    balance_rows: IntArray,
    cash: tuple[IntArray, int],
) -> tuple[MarkdownColumns, list[tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]]]:
    """Adds price choices, discounted sales and clearance, with their money and cash.

    ``demand`` and ``potential`` (the most the style can sell) are ``(Ω, P, T)``; ``sales`` and
    ``balance_rows`` ``(P, T, Ω)``; ``cash`` is ``(cash rows (T, Ω) or empty, receipt lag)``.

    Returns:
        The columns, and the demand the price points add as ``(product, period, scenario,
        column, coefficient)`` terms.
    """
    n_scen, _, periods = demand.shape
    index = {pid: p for p, pid in enumerate(product_ids)}
    entries = [(index[name], m) for m, md in enumerate(levers.markdown) for name in md.products]
    n_points = max((len(md.price_points) for md in levers.markdown), default=0)
    product = np.array([p for p, _ in entries], dtype=np.int64)
    discount = np.zeros((len(entries), n_points))
    multiplier = np.ones((len(entries), n_points))
    first = np.zeros(len(entries), dtype=np.int64)
    for i, (_, m) in enumerate(entries):
        md = levers.markdown[m]
        k = len(md.price_points)
        discount[i, :k] = [point.discount for point in md.price_points]
        multiplier[i, :k] = md.multipliers()
        first[i] = md.from_period - 1
    n_md = len(entries)
    shape = (n_md, periods, n_points)
    t = np.arange(periods)[None, :, None]
    real = (discount > 0)[:, None, :] & np.ones(shape, dtype=bool)
    allowed = real & (t >= first[:, None, None])
    flat_period = np.broadcast_to(t, shape).ravel()
    flat_style = np.broadcast_to(product[:, None, None], shape).ravel()
    choice = staged_columns(
        builder,
        "markdown",
        flat_period,
        data.reveal,
        n_scen,
        allowed.ravel().astype(float),
        True,
        flat_style,
    ).reshape((*shape, n_scen))
    choice = np.where(real[..., None], choice, -1)
    scen = np.arange(n_scen)
    one = builder.add_rows("markdown_one_price", (n_md, periods, n_scen), upper=1.0)
    builder.add_terms(one[:, :, None, :], choice, 1.0)
    style_tag = np.broadcast_to(product[:, None, None, None], (*shape, n_scen))
    discounted = builder.add_columns("discounted_sales", (*shape, n_scen), style=style_tag)
    discounted = np.where(real[..., None], discounted, -1)
    big = np.moveaxis(potential, 0, 2)[product][:, :, None, :]  # (M, T, 1, Ω)
    link = builder.add_rows(
        "markdown_sales", (*shape, n_scen), lower=-big * np.ones(shape)[..., None]
    )
    builder.add_terms(link, discounted, 1.0)
    builder.add_terms(link, sales[product][:, :, None, :], -1.0, where=real[..., None])
    builder.add_terms(link, choice, -big)
    price = data.products.price[product]
    rho = data.products.spot_return_rate[product]  # (M, T)
    net = discount * price[:, None]
    ledger.add("markdown", discounted, (net[:, None, :] * (1 - rho)[:, :, None])[..., None], scen)
    d = np.moveaxis(demand, 0, 2)[product]  # (M, T, Ω)
    gain = (multiplier - 1.0)[:, None, :, None] * d[:, :, None, :]
    pt = np.broadcast_to(product[:, None, None, None], choice.shape)
    tt = np.broadcast_to(t[..., None], choice.shape)
    ww = np.broadcast_to(scen, choice.shape)
    terms = [(pt, tt, ww, choice, gain)]
    cash_rows, lag = cash
    if cash_rows.size:
        receipt = np.minimum(t + lag, periods - 1)
        inside = (t + lag < periods)[..., None] & np.ones(discounted.shape, dtype=bool)
        rows = cash_rows[np.broadcast_to(receipt, shape)][..., :]
        builder.add_terms(rows, discounted, net[:, None, :, None], where=inside)
        back = np.minimum(t + data.products.return_lag[product][:, None, None], periods - 1)
        inside_back = (t + data.products.return_lag[product][:, None, None] < periods)[..., None]
        rows_back = cash_rows[np.broadcast_to(back, shape)]
        refund = -(net[:, None, :] * rho[:, :, None])[..., None]
        builder.add_terms(rows_back, discounted, refund, where=inside_back & inside)
    clear = _add_clearance(
        builder, ledger, levers, index, periods, n_scen, data, balance_rows, cash
    )
    return (
        MarkdownColumns(product, discount, multiplier, choice, discounted, *clear),
        terms,
    )


def _add_clearance(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    levers: Levers,
    index: dict[str, int],
    periods: int,
    n_scen: int,
    data: ModelData,
    balance_rows: IntArray,
    cash: tuple[IntArray, int],
) -> tuple[IntArray, IntArray, IntArray]:
    """Adds the clearance sales: stock out, clearance revenue in.

    Returns:
        ``(product, 0-based period, columns (n_clearance, Ω))``.
    """
    sales = levers.clearance
    product = np.array([index[s.product] for s in sales], dtype=np.int64)
    period = np.array([(s.period or periods) - 1 for s in sales], dtype=np.int64)
    cap = np.array([s.max_units for s in sales], dtype=float)
    price = np.array([s.price for s in sales], dtype=float)
    cols = staged_columns(builder, "clearance", period, data.reveal, n_scen, cap, False, product)
    scen = np.arange(n_scen)[None, :]
    builder.add_terms(balance_rows[product[:, None], period[:, None], scen], cols, 1.0)
    ledger.add("clearance", cols, price[:, None], scen)
    cash_rows, lag = cash
    if cash_rows.size:
        receipt = period + lag
        inside = (receipt < periods)[:, None]
        rows = cash_rows[np.minimum(receipt, periods - 1)[:, None], scen]
        builder.add_terms(rows, cols, -price[:, None], where=inside)
    return product, period, cols
