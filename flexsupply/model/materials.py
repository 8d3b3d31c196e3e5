"""Material blocks: fabric and trims bought from mills, held in stock, used when styles are sewn.

A sewing order placed in period t takes ``u[p,m]`` of each material of its style's bill of
materials out of stock in t, so a style cannot be sewn before its material has arrived. Material
orders before the reveal period are shared by all scenarios (pre-booked fabric that any style may
use later); from the reveal period on they are per scenario. Material is paid when ordered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.data import ModelData, per_period, tier_options
from flexsupply.model.orders import OrderColumns, add_lot_rows
from flexsupply.model.program import ProgramBuilder
from flexsupply.model.terms import MoneyLedger
from flexsupply.scenario import Scenario

SHORTAGE_WEIGHT = 0.01
"""Elastic penalty of one material unit conjured into stock, against 1 per unit of any other
miss: small, so that a plan short of material shows the material rather than the styles it
starves (``solve/explain.py``)."""


@dataclass(frozen=True)
class MaterialData:
    """Materials ``(n_materials,)`` and their order options ``(n_options,)``.

    One option per (material, supplier, price tier), as product options are built
    (``model/data.py``).
    """

    usage: FloatArray
    """Material per piece sewn, cutting loss included, u[p,m], ``(n_products, n_materials)``."""
    initial: FloatArray
    salvage: FloatArray
    holding: FloatArray
    material: IntArray
    term: IntArray
    tier: IntArray
    min_quantity: FloatArray
    max_quantity: FloatArray
    unit_cost: FloatArray
    """Price by order period, ``(n_options, T)`` [currency/material unit]."""
    capacity: FloatArray
    """Most an order of period t can be, ``(n_options, T)``, inf when unlimited."""
    lead_time: IntArray
    multiple: FloatArray
    n_terms: int


@dataclass(frozen=True)
class MaterialColumns:
    """Column indices of the material decisions.

    ``order``, ``switch``, ``lots``: ``(n_options, T, Ω)`` (-1 where none); ``stock``:
    ``(n_materials, T, Ω)``; ``short``: the elastic shortfall (same shape, or empty).
    """

    order: IntArray
    switch: IntArray
    lots: IntArray
    stock: IntArray
    short: IntArray


def material_data(scenario: Scenario) -> MaterialData:
    """Returns the materials of a scenario as arrays (materials in file order).

    Returns:
        ``MaterialData``; empty arrays when the scenario has no materials.
    """
    periods = scenario.horizon.periods
    index = {material.id: m for m, material in enumerate(scenario.materials)}
    usage = np.zeros((len(scenario.products), len(index)))
    for p, product in enumerate(scenario.products):
        for line in product.bom:
            usage[p, index[line.material]] += line.quantity / (1.0 - line.cutting_loss)
    rows: list[tuple[int, int, int, float, float, int, float]] = []
    costs: list[FloatArray] = []
    caps: list[FloatArray] = []
    term = 0
    for m, material in enumerate(scenario.materials):
        for terms in material.suppliers:
            cap = per_period(np.inf if terms.capacity is None else terms.capacity, periods)
            base = per_period(terms.unit_cost, periods)
            for tier_id, low, high, price in tier_options(terms, base):
                lot = terms.order_multiple or 0.0
                rows.append((m, term, tier_id, low, high, terms.lead_time_periods, lot))
                costs.append(price)
                caps.append(cap)
            term += 1
    cols = list(zip(*rows, strict=True)) if rows else [()] * 7
    materials = scenario.materials
    return MaterialData(
        usage=usage,
        initial=np.array([m.initial_stock for m in materials], dtype=float),
        salvage=np.array([m.salvage_value for m in materials], dtype=float),
        holding=np.array([m.holding_cost for m in materials], dtype=float),
        material=np.array(cols[0], dtype=np.int64),
        term=np.array(cols[1], dtype=np.int64),
        tier=np.array(cols[2], dtype=np.int64),
        min_quantity=np.array(cols[3], dtype=float),
        max_quantity=np.array(cols[4], dtype=float),
        unit_cost=np.array(costs, dtype=float).reshape(len(rows), periods),
        capacity=np.array(caps, dtype=float).reshape(len(rows), periods),
        lead_time=np.array(cols[5], dtype=np.int64),
        multiple=np.array(cols[6], dtype=float),
        n_terms=term,
    )


def material_upper_bounds(
    mats: MaterialData, data: ModelData, order_upper: FloatArray
) -> FloatArray:
    """Returns a valid upper bound of each material order, ``(n_options, T, Ω)`` [material unit].

    No order needs more than all sewing orders of the season could use (``order_upper`` bounds
    them), rounded up to its multiple; capacity and the largest order cap it, and an order that
    would arrive after the horizon gets 0.
    """
    periods = data.n_periods
    sewn = np.zeros((len(data.products.price), order_upper.shape[2]))
    np.add.at(sewn, data.options.product, order_upper.sum(axis=1))
    need = (mats.usage.T @ sewn)[mats.material]  # (K, Ω)
    lot = np.where(mats.multiple > 0, mats.multiple, 1.0)[:, None]
    need = np.where(mats.multiple[:, None] > 0, np.ceil(need / lot - 1e-9) * lot, need)
    need = np.maximum(need, mats.min_quantity[:, None])
    cap = np.minimum(mats.capacity, mats.max_quantity[:, None])
    cap = np.where(mats.multiple[:, None] > 0, np.floor(cap / lot + 1e-9) * lot, cap)
    upper = np.minimum(need[:, None, :], cap[:, :, None])
    arrives = (np.arange(periods)[None, :] + mats.lead_time[:, None]) < periods
    keep = arrives[:, :, None] & (upper >= mats.min_quantity[:, None, None])
    return np.where(keep, upper, 0.0)


def add_materials(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    data: ModelData,
    mats: MaterialData,
    upper: FloatArray,
    orders: OrderColumns,
    cash_rows: IntArray,
    elastic: bool,
) -> MaterialColumns:
    """Adds material orders (minimum, multiples, price breaks), material stock and its money.

    ``upper`` is ``material_upper_bounds``; ``cash_rows`` the cash balance rows ``(T, Ω)`` or
    empty.

    Returns:
        The material columns for the plan and the explanations.
    """
    n_opt, periods, n_scen = upper.shape
    n_mat = len(mats.initial)
    scen_all = np.arange(n_scen)[None, None, :]
    order = np.full(upper.shape, -1, dtype=np.int64)
    switch = np.full(upper.shape, -1, dtype=np.int64)
    lots = np.full(upper.shape, -1, dtype=np.int64)
    shares_term = np.bincount(mats.term, minlength=mats.n_terms)[mats.term] > 1
    switched = np.flatnonzero((mats.min_quantity > 0) | shares_term)
    multi = np.flatnonzero(np.bincount(mats.term, minlength=mats.n_terms) > 1)
    tier_row = np.full(mats.n_terms, -1, dtype=np.int64)
    tier_row[multi] = np.arange(len(multi))
    stages = [("shared", 0, data.reveal, 1), ("reorder", data.reveal, periods, n_scen)]
    for stage, t0, t1, width in stages:
        if t1 <= t0 or not n_opt:
            continue
        span = t1 - t0
        scen = scen_all if width > 1 else np.full((1, 1, 1), -1)
        ub = upper[:, t0:t1, :].max(axis=2, keepdims=True) if width == 1 else upper[:, t0:t1, :]
        w = builder.add_columns(f"material_order_{stage}", (n_opt, span, width), 0.0, ub)
        order[:, t0:t1, :] = w
        ledger.add("material_purchase", w, mats.unit_cost[:, t0:t1, None], scen)
        lots[:, t0:t1, :] = add_lot_rows(builder, f"material_lots_{stage}", w, ub, mats.multiple)
        y = builder.add_columns(
            f"material_switch_{stage}",
            (len(switched), span, width),
            0.0,
            (ub[switched] > 0).astype(float),
            True,
        )
        switch[switched, t0:t1, :] = y
        rows = builder.add_rows(f"material_order_max_{stage}", y.shape, upper=0.0)
        builder.add_terms(rows, w[switched], 1.0)
        builder.add_terms(rows, y, -ub[switched])
        rows = builder.add_rows(f"material_order_min_{stage}", y.shape, lower=0.0)
        builder.add_terms(rows, w[switched], 1.0)
        builder.add_terms(rows, y, -mats.min_quantity[switched, None, None])
        if len(multi):
            rows = builder.add_rows(
                f"material_one_tier_{stage}", (len(multi), span, width), upper=1.0
            )
            mine = tier_row[mats.term[switched]]
            builder.add_terms(rows[np.maximum(mine, 0)], y, 1.0, where=(mine >= 0)[:, None, None])

    stock = builder.add_columns("material_stock", (n_mat, periods, n_scen))
    rhs = np.zeros((n_mat, periods, n_scen))
    rhs[:, 0, :] = mats.initial[:, None]
    balance = builder.add_rows("material_balance", stock.shape, rhs, rhs)
    builder.add_terms(balance, stock, 1.0)
    builder.add_terms(balance[:, 1:, :], stock[:, :-1, :], -1.0)
    t = np.arange(periods)[None, :, None]
    arrival = t + mats.lead_time[:, None, None]
    target = balance[mats.material[:, None, None], np.minimum(arrival, periods - 1), scen_all]
    builder.add_terms(target, order, -1.0, where=np.broadcast_to(arrival < periods, order.shape))
    opts = data.options
    used = mats.usage[opts.product]  # (n_product_options, n_materials)
    builder.add_terms(balance[None, :, :, :], orders.order[:, None, :, :], used[:, :, None, None])
    ledger.add("holding", stock, mats.holding[:, None, None], scen_all)
    ledger.add("salvage", stock[:, -1, :], mats.salvage[:, None], scen_all[0])
    if cash_rows.size:
        builder.add_terms(cash_rows[None], order, mats.unit_cost[:, :, None])
        builder.add_terms(cash_rows[None], stock, mats.holding[:, None, None])
    short = np.zeros((0, periods, n_scen), dtype=np.int64)
    if elastic and n_mat:
        short = builder.add_columns("material_short", stock.shape)
        builder.add_terms(balance, short, -1.0)
    return MaterialColumns(order=order, switch=switch, lots=lots, stock=stock, short=short)
