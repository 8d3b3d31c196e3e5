"""Order blocks: quantities, on/off switches, price tiers, supplier selection and capacity.

Orders placed before the reveal period form a shared stage (one copy for all scenarios); orders
from the reveal period on form a per-scenario stage. Every constraint here is written once per
stage with numpy index arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.errors import Problem, ScenarioError
from flexsupply.model.data import ModelData
from flexsupply.model.program import SHARED, ProgramBuilder
from flexsupply.model.terms import MoneyLedger
from flexsupply.model.tree import OrderStage


@dataclass(frozen=True)
class OrderColumns:
    """Column indices of the order decisions, each laid out ``(n_options, n_periods, Ω)``.

    Shared orders repeat the same column across the scenario axis; ``switch`` is -1 for options
    without an on/off decision; ``lots`` (the integer number of order multiples) is -1 for
    options without a multiple; ``select`` is ``(n_suppliers,)``, -1 where no choice is made.
    """

    order: IntArray
    switch: IntArray
    select: IntArray
    lots: IntArray


def order_upper_bounds(
    data: ModelData,
    demand: FloatArray,
    warehouse: float | None,
    product_ids: list[str],
    supplier_ids: list[str],
) -> FloatArray:
    """Returns the tightest valid upper bound of each order, shape ``(n_options, T, Ω)`` [units].

    An order never needs to exceed what its product can still sell or ship after it arrives
    (unless a tier minimum or MOQ is larger), the supplier's capacity net of setup time, or the
    term's maximum. Orders that would arrive after the horizon get 0.

    Raises:
        ScenarioError: when buying to salvage is profitable and nothing limits the quantity.
    """
    opts, prods, sups = data.options, data.products, data.suppliers
    periods = data.n_periods
    suffix = np.flip(np.cumsum(np.flip(demand, axis=2), axis=2), axis=2)
    whole = np.broadcast_to(demand.sum(axis=2, keepdims=True), suffix.shape)
    need = np.where(prods.backlog[None, :, None], whole, suffix)
    presale_units = np.bincount(data.presale.product, data.presale.units_to_ship, len(prods.price))
    need = need + presale_units[None, :, None]

    t = np.arange(periods)
    arrival = t[None, :] + opts.lead_time[:, None]
    arrives = arrival < periods
    good = sups.good_share[opts.supplier]
    need_at_arrival = need[:, opts.product[:, None], np.minimum(arrival, periods - 1)]
    demand_bound = np.moveaxis(need_at_arrival, 0, 2) / good[:, None, None]
    cheapest = opts.unit_cost.min(axis=1, initial=np.inf)
    arbitrage = prods.salvage[opts.product] * good > cheapest
    if warehouse is not None:
        demand_bound = demand_bound + np.where(arbitrage, warehouse / good, 0.0)[:, None, None]
    else:
        demand_bound = np.where(arbitrage[:, None, None], np.inf, demand_bound)
    multiple = np.where(opts.multiple > 0, opts.multiple, 1.0)[:, None, None]
    rounds = (opts.multiple > 0)[:, None, None]
    # A multiple may have to overshoot what can sell: demand 130 in lays of 50 is an order of 150.
    with np.errstate(invalid="ignore"):
        demand_bound = np.where(
            rounds, np.ceil(demand_bound / multiple - 1e-9) * multiple, demand_bound
        )
    demand_bound = np.maximum(demand_bound, opts.min_quantity[:, None, None])

    capacity = sups.capacity[opts.supplier]
    with np.errstate(divide="ignore", invalid="ignore"):
        capacity_bound = np.where(
            opts.capacity_use[:, None] > 0,
            (capacity - opts.setup_time[:, None]) / opts.capacity_use[:, None],
            np.inf,
        )
    capacity_bound = np.maximum(capacity_bound, 0.0)
    upper = np.minimum(
        demand_bound, np.minimum(capacity_bound, opts.max_quantity[:, None])[:, :, None]
    )
    with np.errstate(invalid="ignore"):
        upper = np.where(rounds, np.floor(upper / multiple + 1e-9) * multiple, upper)
    upper = np.where(arrives[:, :, None] & (upper >= opts.min_quantity[:, None, None]), upper, 0.0)
    unbounded = np.isinf(upper).any(axis=(1, 2))
    if unbounded.any():
        o = int(np.flatnonzero(unbounded)[0])
        p, s = int(opts.product[o]), int(opts.supplier[o])
        raise ScenarioError(
            [
                Problem(
                    ("products", p, "salvage_value"),
                    f"profit is unbounded: a good unit of {product_ids[p]} from {supplier_ids[s]} costs "
                    f"{cheapest[o] / good[o]:g} but salvages for {prods.salvage[p]:g}, and no "
                    "capacity, max_per_order or warehouse limit caps the quantity; lower salvage_value "
                    "or add a limit",
                )
            ]
        )
    return upper


def add_orders(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    data: ModelData,
    upper: FloatArray,
    integer_orders: bool,
    stages: list[OrderStage],
) -> OrderColumns:
    """Adds order, switch, tier, selection and capacity blocks and their money.

    Each stage's blocks are written once per node of the stage (``model/tree.py``): one node for
    the first batch, one per scenario for the last stage, tree nodes in between.

    Returns:
        The order columns for the flow blocks and the plan.
    """
    opts, sups = data.options, data.suppliers
    n_opt, periods, n_scen = upper.shape
    switched = opts.needs_switch
    selectable = sups.onboarding > 0
    select = np.full(len(sups.onboarding), -1, dtype=np.int64)
    if selectable.any():
        select[selectable] = builder.add_columns(
            "select", (int(selectable.sum()),), 0.0, 1.0, integer=True
        )
        ledger.add("onboarding", select, sups.onboarding, -1)

    order = np.full((n_opt, periods, n_scen), -1, dtype=np.int64)
    switch = np.full((n_opt, periods, n_scen), -1, dtype=np.int64)
    lots = np.full((n_opt, periods, n_scen), -1, dtype=np.int64)
    finite: BoolArray = np.asarray(np.isfinite(sups.capacity).all(axis=1), dtype=bool)
    capacity_row_of = np.full(len(finite), -1, dtype=np.int64)
    capacity_row_of[finite] = np.arange(int(finite.sum()))
    multi_terms = np.flatnonzero(np.bincount(opts.term, minlength=opts.n_terms) > 1)
    tier_row_of = np.full(opts.n_terms, -1, dtype=np.int64)
    tier_row_of[multi_terms] = np.arange(len(multi_terms))

    for part in stages:
        stage, t0, t1, width, node = part.name, part.start, part.end, part.n_nodes, part.node
        if t1 <= t0:
            continue
        span = t1 - t0
        # Money is counted per scenario (a node's columns once in each of its scenarios), the
        # first batch's once for all.
        scen: IntArray = np.full((1, 1, 1), -1) if part.shared else np.arange(n_scen)[None, None]
        ub = np.zeros((width, n_opt, span))
        np.maximum.at(ub, node, np.moveaxis(upper[:, t0:t1, :], 2, 0))
        ub = np.moveaxis(ub, 0, 2)

        def each(cols: IntArray, node: IntArray = node, shared: bool = part.shared) -> IntArray:
            """Returns a stage's columns by scenario (as they are, for the first batch)."""
            return cols if shared else cols[:, :, node]

        x = builder.add_columns(
            f"order_{stage}",
            (n_opt, span, width),
            0.0,
            ub,
            integer_orders,
            style=opts.product[:, None, None],
        )
        order[:, t0:t1, :] = each(x)
        ledger.add("purchase", each(x), opts.unit_cost[:, t0:t1, None], scen)
        lots[:, t0:t1, :] = each(
            add_lot_rows(builder, f"lots_{stage}", x, ub, opts.multiple, opts.product)
        )

        sw = np.flatnonzero(switched)
        y = builder.add_columns(
            f"switch_{stage}",
            (len(sw), span, width),
            0.0,
            (ub[sw] > 0).astype(float),
            True,
            style=opts.product[sw, None, None],
        )
        switch[sw, t0:t1, :] = each(y)
        ledger.add("setup", each(y), opts.setup_cost[sw, None, None], scen)
        x_sw = x[sw]
        rows = builder.add_rows(f"order_max_{stage}", y.shape, upper=0.0)
        builder.add_terms(rows, x_sw, 1.0)
        builder.add_terms(rows, y, -ub[sw])
        has_min = opts.min_quantity[sw] > 0
        rows = builder.add_rows(f"order_min_{stage}", (int(has_min.sum()), span, width), lower=0.0)
        builder.add_terms(rows, x_sw[has_min], 1.0)
        builder.add_terms(rows, y[has_min], -opts.min_quantity[sw][has_min, None, None])

        if len(multi_terms):
            rows = builder.add_rows(f"one_tier_{stage}", (len(multi_terms), span, width), upper=1.0)
            builder.add_terms(
                rows[tier_row_of[opts.term[sw]]],
                y,
                1.0,
                where=(tier_row_of[opts.term[sw]] >= 0)[:, None, None],
            )

        if selectable.any():
            gated = np.flatnonzero(select[opts.supplier[sw]] >= 0)
            rows = builder.add_rows(
                f"switch_needs_supplier_{stage}", (len(gated), span, width), upper=0.0
            )
            builder.add_terms(rows, y[gated], 1.0)
            builder.add_terms(rows, select[opts.supplier[sw[gated]]][:, None, None], -1.0)
            free = np.flatnonzero(~switched & (select[opts.supplier] >= 0))
            rows = builder.add_rows(
                f"order_needs_supplier_{stage}", (len(free), span, width), upper=0.0
            )
            builder.add_terms(rows, x[free], 1.0)
            builder.add_terms(rows, select[opts.supplier[free]][:, None, None], -ub[free])

        if finite.any():
            cap = sups.capacity[finite][:, t0:t1]
            has_select = select[finite] >= 0
            bound = np.where(has_select[:, None], 0.0, cap)[:, :, None]
            rows = builder.add_rows(
                f"capacity_{stage}",
                (int(finite.sum()), span, width),
                upper=np.broadcast_to(bound, (int(finite.sum()), span, width)),
            )
            row_of_option = capacity_row_of[opts.supplier]
            usable = (row_of_option >= 0)[:, None, None]
            option_rows = rows[np.maximum(row_of_option, 0)]
            builder.add_terms(option_rows, x, opts.capacity_use[:, None, None], where=usable)
            builder.add_terms(option_rows[sw], y, opts.setup_time[sw, None, None], where=usable[sw])
            builder.add_terms(
                rows,
                select[finite][:, None, None],
                -cap[:, :, None],
                where=has_select[:, None, None],
            )
    return OrderColumns(order=order, switch=switch, select=select, lots=lots)


def add_lot_rows(
    builder: ProgramBuilder,
    name: str,
    x: IntArray,
    upper: FloatArray,
    multiple: FloatArray,
    style: IntArray | None = None,
) -> IntArray:
    """Makes orders whole multiples: ``x[o,t,ω] = n[o]·k[o,t,ω]`` with ``k`` integer.

    ``x`` and ``upper`` are ``(n_items, span, width)``; items whose ``multiple`` is 0 are free.
    ``style`` tags each item's ``k`` with the style of its order (None: shared by all styles,
    as material bought for several styles is).

    Returns:
        The columns of ``k`` in the shape of ``x``, -1 for items without a multiple.
    """
    columns = np.full(x.shape, -1, dtype=np.int64)
    lots = np.flatnonzero(multiple > 0)
    if not len(lots):
        return columns
    size = multiple[lots][:, None, None]
    tag = SHARED if style is None else style[lots][:, None, None]
    bound = np.floor(upper[lots] / size + 1e-9)
    k = builder.add_columns(name, x[lots].shape, 0.0, bound, True, style=tag)
    rows = builder.add_rows(f"{name}_size", k.shape, 0.0, 0.0)
    builder.add_terms(rows, x[lots], 1.0)
    builder.add_terms(rows, k, -size)
    columns[lots] = k
    return columns
