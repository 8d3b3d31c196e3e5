"""Valid inequalities that tighten the LP relaxation of the order switches.

For an order of option o placed in t that arrives in a = t + L[o], every good unit is either
sold or shipped in a..l, or still in stock at the end of l. Sales of product p in period u are at
most D[ω,p,u] and presale shipments at most the presale units open in u, so for every l ≥ a:

    γ[s]·x[o,t,ω] ≤ (Σ_{u=a..l} out[ω,p,u])·y[o,t,ω] + I[p,l,ω]

These are the single-period (l,S) inequalities of lot sizing (Barany, Van Roy & Wolsey 1984)
with S = {t}. They cut off fractional switches that pay a sliver of the setup cost for an
order far larger than what sells before stock piles up. Inflows from other orders and returns
only raise I, so they stay valid. Backlog products are left out (their sales may exceed demand).

``separate_cover_cuts`` finds violated multi-order (l,S) inequalities: for a scenario ω, a period
l and a set S of switched orders of product p that all arrive by l (s = (o,t) arriving in a[s]),

    Σ_{s∈S} γ[s]·x[s,ω] ≤ Σ_{s∈S} (Σ_{u=a[s]..l} out[ω,p,u])·y[s,ω] + I[p,l,ω]

Proof of validity: if no order of S is placed, the left side is 0 (x ≤ U·y) and I ≥ 0. Else
let s* be a placed order of S with the earliest arrival a*. From a* to l the stock balance
gives I[l] = I[a*−1] + arrivals + other inflows − outflows, where every unit of S arrives in
a*..l, I[a*−1] and other inflows are ≥ 0 and the outflow of u is at most out[ω,p,u] (the
hypothesis of the single-order inequality). So the left side is at most
Σ_{u=a*..l} out[ω,p,u] + I[l], which is the term of s* (y = 1) and at most the right side, whose
other terms are ≥ 0. With S = {s} this is the single-order inequality; for one source without
lead times these are the (l,S) inequalities that give the convex hull of uncapacitated lot
sizing (Barany, Van Roy & Wolsey 1984). The most violated S of a given (ω, p, l) takes every
order with γ·x > cover·y, so separation is exact and linear in the orders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.data import ModelData
from flexsupply.model.program import Block, LinearProgram, ProgramBuilder

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
    opts = data.options
    n_scen, _, periods = demand.shape
    t_index = np.arange(periods)
    cumulative = _cumulative_outflow(data, demand)
    candidates = _candidates(data, switch)
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


def _cumulative_outflow(data: ModelData, demand: FloatArray) -> FloatArray:
    """Returns Σ_{u<k} out[ω,p,u] as ``(P, T + 1, Ω)``: sales plus presale units open in u [units]."""
    pre = data.presale
    n_scen, n_prod, periods = demand.shape
    presale_open = np.zeros((n_prod, periods))
    t_index = np.arange(periods)
    window_open = (t_index[None, :] >= pre.ship_from[:, None]) & (
        (t_index[None, :] <= pre.due[:, None]) | ~pre.late_forbidden[:, None]
    )
    np.add.at(presale_open, pre.product, window_open * pre.units_to_ship[:, None])
    outflow = np.moveaxis(demand, 0, 2) + presale_open[:, :, None]  # (P, T, Ω)
    return np.concatenate([np.zeros((n_prod, 1, n_scen)), np.cumsum(outflow, axis=1)], axis=1)


def _candidates(data: ModelData, switch: IntArray) -> IntArray:
    """Returns the options with an order switch whose product has no backlog."""
    opts = data.options
    return np.flatnonzero((switch >= 0).any(axis=(1, 2)) & ~data.products.backlog[opts.product])


@dataclass(frozen=True)
class CoverData:
    """What separating the multi-order (l,S) inequalities needs, for the candidate options C.

    Attributes:
        order: order columns ``(C, T, Ω)``.
        switch: switch columns ``(C, T, Ω)``, -1 where the option has none in that period.
        product: product of each candidate ``(C,)``.
        good: good share γ of each candidate ``(C,)``.
        arrival: arrival period of each order ``(C, T)`` (≥ T: after the horizon).
        cumulative: cumulative outflow bound ``(P, T + 1, Ω)`` [units].
        inventory: inventory columns ``(P, T, Ω)``.
    """

    order: IntArray
    switch: IntArray
    product: IntArray
    good: FloatArray
    arrival: IntArray
    cumulative: FloatArray
    inventory: IntArray


@dataclass(frozen=True)
class CutRows:
    """Rows ``Σ values·x ≤ 0`` in compressed form: row k holds ``starts[k]:starts[k + 1]``."""

    starts: IntArray
    columns: IntArray
    values: FloatArray

    @property
    def n_rows(self) -> int:
        """Returns the number of rows."""
        return len(self.starts) - 1

    @staticmethod
    def join(parts: list[CutRows]) -> CutRows:
        """Returns the rows of every part, in order, as one ``CutRows``."""
        starts = [np.zeros(1, dtype=np.int64)]
        offset = 0
        for part in parts:
            starts.append(part.starts[1:] + offset)
            offset += int(part.starts[-1])
        return CutRows(
            np.concatenate(starts),
            np.concatenate([np.zeros(0, dtype=np.int64), *(part.columns for part in parts)]),
            np.concatenate([np.zeros(0), *(part.values for part in parts)]),
        )

    def matrix(self, n_columns: int) -> sp.csr_matrix:
        """Returns the rows as a sparse matrix ``(n_rows, n_columns)``."""
        # Copies: sorting below permutes the matrix's arrays in place, and scipy may share them.
        matrix = sp.csr_matrix(
            (self.values.copy(), self.columns.copy(), self.starts.copy()),
            shape=(self.n_rows, n_columns),
        )
        # Canonical (sorted) rows: code that shares a matrix's index arrays with a new matrix
        # (``_row_styles`` in ``solve/decompose/linking.py``) would otherwise sort them under it.
        matrix.sort_indices()
        return matrix


def cover_data(
    data: ModelData, demand: FloatArray, order: IntArray, switch: IntArray, inventory: IntArray
) -> CoverData:
    """Returns the ``CoverData`` of a program built from ``data``.

    ``demand`` is what can sell ``(Ω, P, T)`` (the ``potential`` the builder passes to
    ``add_order_cover_cuts``); ``order``/``switch`` are ``(O, T, Ω)``; ``inventory`` ``(P, T, Ω)``.

    Returns:
        The columns and cover coefficients of every switched order of a product without backlog.
    """
    opts = data.options
    candidates = _candidates(data, switch)
    periods = demand.shape[2]
    return CoverData(
        order=order[candidates],
        switch=switch[candidates],
        product=opts.product[candidates],
        good=data.suppliers.good_share[opts.supplier[candidates]],
        arrival=np.arange(periods)[None, :] + opts.lead_time[candidates][:, None],
        cumulative=_cumulative_outflow(data, demand),
        inventory=inventory,
    )


def separate_cover_cuts(
    cover: CoverData,
    x: FloatArray,
    products: IntArray | None = None,
    tolerance: float = 1e-6,
) -> CutRows:
    """Returns the most violated multi-order (l,S) inequality of each (ω, p, l) that ``x`` breaks.

    ``x`` is a point of the whole program (e.g. an LP solution); ``products`` limits the search
    to those products (None: all). A row counts as violated when its left side exceeds its
    right side by more than ``tolerance`` times max(1, left side).

    Returns:
        The violated rows as ``Σ γ·x − Σ cover·y − I ≤ 0``, ordered by (product, ω, l).
    """
    keep = np.ones(len(cover.product), dtype=bool)
    if products is not None:
        keep = np.isin(cover.product, products)
    c_all = np.flatnonzero(keep)
    n_prod, ends, n_scen = cover.cumulative.shape
    periods = ends - 1
    last = np.arange(periods)
    arrival = cover.arrival[c_all]  # (C, T)
    switch = cover.switch[c_all]
    ok = (switch >= 0)[:, :, :, None] & (arrival[:, :, None, None] <= last[None, None, None, :])
    c, t, w, k = np.nonzero(ok)
    p = cover.product[c_all][c]
    start = np.minimum(arrival[c, t], periods)
    covered = cover.cumulative[p, k + 1, w] - cover.cumulative[p, start, w]
    order_col, switch_col = cover.order[c_all][c, t, w], switch[c, t, w]
    gain = cover.good[c_all][c] * x[order_col] - covered * x[switch_col]
    inside = gain > 1e-9
    key = (p * n_scen + w) * periods + k
    total = np.bincount(key[inside], gain[inside], minlength=n_prod * n_scen * periods)
    stock = x[cover.inventory].reshape(-1)  # (P, T, Ω) flattened: p, l, ω
    p_k, w_k, l_k = np.unravel_index(np.arange(len(total)), (n_prod, n_scen, periods))
    stock_of_key = stock[(p_k * periods + l_k) * n_scen + w_k]
    violated = total - stock_of_key > tolerance * np.maximum(1.0, total)
    chosen = inside & violated[key]
    rows_key = np.flatnonzero(violated)
    if not len(rows_key):
        return CutRows(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    row_of_key = np.full(len(total), -1, dtype=np.int64)
    row_of_key[rows_key] = np.arange(len(rows_key))
    row = np.concatenate([np.repeat(row_of_key[key[chosen]], 2), np.arange(len(rows_key))])
    columns = np.concatenate(
        [
            np.stack([order_col[chosen], switch_col[chosen]], axis=1).ravel(),
            cover.inventory[p_k[rows_key], l_k[rows_key], w_k[rows_key]],
        ]
    )
    values = np.concatenate(
        [
            np.stack([cover.good[c_all][c[chosen]], -covered[chosen]], axis=1).ravel(),
            -np.ones(len(rows_key)),
        ]
    )
    order = np.argsort(row, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=len(rows_key)))])
    return CutRows(starts.astype(np.int64), columns[order].astype(np.int64), values[order])


def with_cover_rows(program: LinearProgram, cuts: CutRows) -> LinearProgram:
    """Returns ``program`` with the rows ``cuts`` appended (block ``order_cover_separated``).

    Returns:
        The same program with ``cuts.n_rows`` more rows ``Σ values·x ≤ 0``; its optimum is
        unchanged when the rows are valid inequalities (those of ``separate_cover_cuts`` are).
    """
    n_rows = program.n_rows
    matrix = sp.csr_matrix(sp.vstack([program.matrix, cuts.matrix(program.n_columns)]))
    matrix.sort_indices()
    name = "order_cover_separated"
    count = sum(1 for key in program.row_blocks if key.startswith(name))
    if count:
        name = f"{name}_{count + 1}"
    return replace(
        program,
        matrix=matrix,
        row_lower=np.concatenate([program.row_lower, np.full(cuts.n_rows, -np.inf)]),
        row_upper=np.concatenate([program.row_upper, np.zeros(cuts.n_rows)]),
        row_blocks={**program.row_blocks, name: Block(name, n_rows, (cuts.n_rows,))},
    )
