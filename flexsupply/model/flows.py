"""Flow blocks per (product, period, scenario): stock, sales, backlog, presale shipments, cash."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.model.data import ModelData, ProductData
from flexsupply.model.orders import OrderColumns
from flexsupply.model.program import ProgramBuilder
from flexsupply.model.terms import MoneyLedger


@dataclass(frozen=True)
class FlowColumns:
    """Column indices of the flow decisions (-1 where a block does not apply).

    ``inventory``, ``sales``, ``backlog``: ``(n_products, T, Ω)``; ``shipments``: ``(n_presale, T, Ω)``;
    ``cash``: ``(T, Ω)`` or empty; ``*_short`` are the elastic slacks used to explain infeasibility.
    ``cash_rows`` and ``warehouse_rows`` are row indices ``(T, Ω)`` (empty when not modelled),
    for the blocks that add money or storage to them (``model/recourse.py``).
    """

    inventory: IntArray
    sales: IntArray
    backlog: IntArray
    shipments: IntArray
    cash: IntArray
    presale_short: IntArray
    cash_short: IntArray
    warehouse_short: IntArray
    cash_rows: IntArray
    warehouse_rows: IntArray
    balance_rows: IntArray
    """Stock balance rows ``(P, T, Ω)``, for blocks that take stock out (``model/levers.py``)."""
    backlog_rows: IntArray
    """Backlog balance rows ``(P, T, Ω)``, -1 for products without backlog."""


def _shift_rows(rows: IntArray, lag: IntArray, axis_periods: int) -> tuple[IntArray, BoolArray]:
    """Returns rows moved ``lag`` periods later along axis 1 and the mask of those in the horizon."""
    periods = rows.shape[1]
    t = np.arange(periods).reshape((1, periods) + (1,) * (rows.ndim - 2))
    target = t + lag.reshape((-1, 1) + (1,) * (rows.ndim - 2))
    inside = target < axis_periods
    clipped = np.minimum(target, axis_periods - 1)
    gathered = np.take_along_axis(rows, np.broadcast_to(clipped, rows.shape), axis=1)
    return gathered, np.broadcast_to(inside, rows.shape)


def add_flows(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    data: ModelData,
    demand: FloatArray,
    orders: OrderColumns,
    warehouse: float | None,
    cash: tuple[float, bool, int] | None,
    elastic: bool,
    sales_room: FloatArray | None = None,
) -> FlowColumns:
    """Adds stock balance, sales, backlog, presale, warehouse and cash blocks and their money.

    ``demand`` is ``(Ω, n_products, T)``; ``cash`` is ``(initial, non_negative, receipt_lag)``;
    ``sales_room`` ``(Ω, n_products, T)`` is demand the levers may add on top of ``demand``
    (it raises the bound of the sales columns; rows of ``model/levers.py`` cap them).

    Returns:
        The flow columns for the plan.
    """
    prods, opts, pre, sups = data.products, data.options, data.presale, data.suppliers
    n_scen, n_prod, periods = demand.shape
    scen = np.arange(n_scen)[None, None, :]
    d = np.moveaxis(demand, 0, 2)  # (P, T, Ω)

    product = np.arange(n_prod)[:, None, None]
    inventory = builder.add_columns("inventory", (n_prod, periods, n_scen), style=product)
    balance_rhs = np.zeros((n_prod, periods, n_scen))
    balance_rhs[:, 0, :] = prods.initial_stock[:, None]
    if data.receipts is not None:
        balance_rhs += data.receipts[:, :, None]
    balance = builder.add_rows("stock_balance", (n_prod, periods, n_scen), balance_rhs, balance_rhs)
    builder.add_terms(balance, inventory, 1.0)
    builder.add_terms(balance[:, 1:, :], inventory[:, :-1, :], -1.0)
    ledger.add("holding", inventory, prods.holding[:, None, None], scen)
    ledger.add("salvage", inventory[:, -1, :], prods.salvage[:, None], scen[0])

    product_rows = balance[opts.product]
    arrival_rows, arrives = _shift_rows(product_rows, opts.lead_time, periods)
    builder.add_terms(
        arrival_rows, orders.order, -sups.good_share[opts.supplier][:, None, None], where=arrives
    )

    forbidden = prods.forbidden[:, None, None] & ~elastic
    potential = d if sales_room is None else d + np.moveaxis(sales_room, 0, 2)
    sales_upper = np.where(prods.backlog[:, None, None], np.cumsum(potential, axis=1), potential)
    sales = builder.add_columns(
        "sales", (n_prod, periods, n_scen), np.where(forbidden, d, 0.0), sales_upper, style=product
    )
    _add_sale_like(
        builder,
        ledger,
        balance,
        sales,
        prods.price,
        prods.spot_return_rate[:, :, None],
        prods,
        np.arange(n_prod),
        scen,
        periods,
    )
    ledger.add("spot_sales", sales, prods.price[:, None, None], scen)
    ledger.add(
        "goodwill", sales, -prods.goodwill[:, None, None], scen, where=prods.lost[:, None, None]
    )
    ledger.add_constant("goodwill", (prods.goodwill * prods.lost) @ demand.sum(axis=2).T)

    backlog = np.full((n_prod, periods, n_scen), -1, dtype=np.int64)
    backlog_rows = backlog.copy()
    with_backlog = np.flatnonzero(prods.backlog)
    if len(with_backlog):
        backlog_upper = np.full((len(with_backlog), periods, n_scen), np.inf)
        if prods.firm and not elastic:
            backlog_upper[:, -1, :] = 0.0
        cols = builder.add_columns(
            "backlog", backlog_upper.shape, 0.0, backlog_upper, style=with_backlog[:, None, None]
        )
        backlog[with_backlog] = cols
        rows = builder.add_rows("backlog_balance", cols.shape, d[with_backlog], d[with_backlog])
        backlog_rows[with_backlog] = rows
        builder.add_terms(rows, cols, 1.0)
        builder.add_terms(rows[:, 1:, :], cols[:, :-1, :], -1.0)
        builder.add_terms(rows, sales[with_backlog], 1.0)
        ledger.add("backlog", cols[:, :-1, :], prods.backlog_cost[with_backlog, None, None], scen)
        ledger.add("goodwill", cols[:, -1, :], prods.goodwill[with_backlog, None], scen[0])

    t = np.arange(periods)[None, :]
    n_pre = len(pre.product)
    open_window = (t >= pre.ship_from[:, None]) & (
        (t <= pre.due[:, None]) | ~pre.late_forbidden[:, None]
    )
    ship_upper = np.where(open_window, pre.units_to_ship[:, None], 0.0)[:, :, None]
    shipments = builder.add_columns(
        "presale_shipments",
        (n_pre, periods, n_scen),
        0.0,
        ship_upper,
        style=pre.product[:, None, None],
    )
    _add_sale_like(
        builder,
        ledger,
        balance,
        shipments,
        pre.price - pre.expansion,
        prods.return_rate[pre.product][:, None, None],
        prods,
        pre.product,
        scen,
        periods,
    )
    ledger.add("presale_balance", shipments, pre.balance_per_unit[:, None, None], scen)
    ledger.add("deposit_expansion", shipments, pre.expansion[:, None, None], scen)
    lateness = np.maximum(t - pre.due[:, None], 0) * pre.late_cost[:, None]
    ledger.add("late_shipment", shipments, lateness[:, :, None], scen)
    ledger.add_constant("presale_deposits", float(pre.deposits.sum()))
    ship_rows = builder.add_rows(
        "presale_due", (n_pre, n_scen), pre.units_to_ship[:, None], pre.units_to_ship[:, None]
    )
    builder.add_terms(ship_rows[:, None, :], shipments, 1.0)
    presale_short = np.full((n_pre, n_scen), -1, dtype=np.int64)
    if elastic and n_pre:
        presale_short = builder.add_columns(
            "presale_short", (n_pre, n_scen), style=pre.product[:, None]
        )
        builder.add_terms(ship_rows, presale_short, 1.0)

    warehouse_short = np.zeros((0, n_scen), dtype=np.int64)
    warehouse_rows = np.zeros((0, n_scen), dtype=np.int64)
    if warehouse is not None:
        rows = builder.add_rows("warehouse", (periods, n_scen), upper=warehouse)
        warehouse_rows = rows
        builder.add_terms(rows[None, :, :], inventory, 1.0)
        if elastic:
            warehouse_short = builder.add_columns("warehouse_short", (periods, n_scen))
            builder.add_terms(rows, warehouse_short, -1.0)

    cash_cols = np.zeros((0, n_scen), dtype=np.int64)
    cash_short = np.zeros((0, n_scen), dtype=np.int64)
    cash_rows = np.zeros((0, n_scen), dtype=np.int64)
    if cash is not None:
        cash_cols, cash_short, cash_rows = _add_cash(
            builder, data, cash, orders, inventory, sales, backlog, shipments, elastic, n_scen
        )
    return FlowColumns(
        inventory=inventory,
        sales=sales,
        backlog=backlog,
        shipments=shipments,
        cash=cash_cols,
        presale_short=presale_short,
        cash_short=cash_short,
        warehouse_short=warehouse_short,
        cash_rows=cash_rows,
        warehouse_rows=warehouse_rows,
        balance_rows=balance,
        backlog_rows=backlog_rows,
    )


def _add_sale_like(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    balance: IntArray,
    cols: IntArray,
    price: FloatArray,
    rate: FloatArray,
    prods: ProductData,
    product: IntArray,
    scen: IntArray,
    periods: int,
) -> None:
    """Adds what every unit leaving to a customer does: stock out, returns back, refunds out.

    ``price`` is what the customer paid per unit (the refund of a return), shape ``(n_items,)``;
    ``rate`` the return share by item and sale period, broadcastable to ``(n_items, T, 1)``.
    """
    rows = balance[product]
    builder.add_terms(rows, cols, 1.0)
    back_rows, back_inside = _shift_rows(rows, prods.return_lag[product], periods)
    returned = rate * prods.resellable[product][:, None, None]
    builder.add_terms(back_rows, cols, -returned, where=back_inside)
    ledger.add("refunds", cols, rate * price[:, None, None], scen)
    ledger.add("return_handling", cols, rate * prods.handling[product][:, None, None], scen)
    after = prods.salvage[product][:, None, None] * returned
    ledger.add("salvage", cols, after, scen, where=~back_inside)


def _add_cash(
    builder: ProgramBuilder,
    data: ModelData,
    cash: tuple[float, bool, int],
    orders: OrderColumns,
    inventory: IntArray,
    sales: IntArray,
    backlog: IntArray,
    shipments: IntArray,
    elastic: bool,
    n_scen: int,
) -> tuple[IntArray, IntArray, IntArray]:
    initial, non_negative, receipt_lag = cash
    prods, opts, pre, sups = data.products, data.options, data.presale, data.suppliers
    periods = data.n_periods
    rhs = np.zeros((periods, n_scen))
    rhs[0, :] += initial
    if data.committed_payments is not None:
        rhs -= data.committed_payments[:, None]
    np.add.at(rhs, pre.period, np.broadcast_to(pre.deposits[:, None], (len(pre.period), n_scen)))
    lower = 0.0 if non_negative else -np.inf
    cash_cols = builder.add_columns("cash", (periods, n_scen), lower)
    rows = builder.add_rows("cash_balance", (periods, n_scen), rhs, rhs)
    builder.add_terms(rows, cash_cols, 1.0)
    builder.add_terms(rows[1:], cash_cols[:-1], -1.0)

    def flow(cols: IntArray, lag: IntArray, amount: FloatArray) -> None:
        """Money ``amount·x`` leaves (amount > 0) or enters (< 0) ``lag`` periods after x's period."""
        by_item = np.broadcast_to(rows[None], (cols.shape[0], periods, n_scen))
        target, inside = _shift_rows(by_item, lag, periods)
        builder.add_terms(target, cols, amount, where=inside)

    no_lag = np.zeros(1, dtype=np.int64)
    price = prods.price[:, None, None]
    refund_rate = prods.spot_return_rate[:, :, None]
    flow(sales, np.full(len(price), receipt_lag), -price)
    flow(sales, prods.return_lag, refund_rate * (price + prods.handling[:, None, None]))
    flow(inventory, no_lag.repeat(len(price)), prods.holding[:, None, None])
    pre_rate = prods.return_rate[pre.product][:, None, None]
    paid = (pre.price - pre.expansion)[:, None, None]
    balance_in = (pre.balance_per_unit - pre.expansion)[:, None, None]
    flow(shipments, no_lag.repeat(len(pre.product)), -balance_in)
    flow(
        shipments,
        prods.return_lag[pre.product],
        pre_rate * (paid + prods.handling[pre.product][:, None, None]),
    )
    t = np.arange(periods)[None, :, None]
    lateness = np.maximum(t - pre.due[:, None, None], 0) * pre.late_cost[:, None, None]
    flow(shipments, no_lag.repeat(len(pre.product)), lateness)
    upfront = sups.upfront_share[opts.supplier]
    flow(orders.order, no_lag.repeat(len(upfront)), (upfront[:, None] * opts.unit_cost)[:, :, None])
    flow(
        orders.order,
        opts.lead_time + sups.balance_lag[opts.supplier],
        ((1 - upfront)[:, None] * opts.unit_cost)[:, :, None],
    )
    flow(orders.switch, no_lag.repeat(len(upfront)), opts.setup_cost[:, None, None])
    with_backlog = np.flatnonzero(prods.backlog)
    if len(with_backlog):
        flow(
            backlog[with_backlog],
            no_lag.repeat(len(with_backlog)),
            prods.backlog_cost[with_backlog, None, None],
        )
    chosen = np.flatnonzero(orders.select >= 0)
    builder.add_terms(
        rows[0][None, :], orders.select[chosen][:, None], sups.onboarding[chosen][:, None]
    )

    cash_short = np.zeros((0, n_scen), dtype=np.int64)
    if elastic and non_negative:
        cash_short = builder.add_columns("cash_short", (periods, n_scen))
        builder.add_terms(rows, cash_short, -1.0)
    return cash_cols, cash_short, rows
