"""Cancelling committed orders: how many units of each cancellable inbound order not to take.

An inbound order i of supplier s (U[i] good units arriving in period r[i], value V[i], O[i]
still owed in period q[i]) may be cancelled when s states ``cancellation`` terms, the order is
``cancellable`` and r[i] ≥ N[s] (1-based). The decision is taken now, before any demand is
revealed, so it is one column for every scenario:

- c[i] ∈ [0, U[i]] good units cancelled; with a fee or whole orders only, a switch
  w[i] ∈ {0, 1} with c[i] ≤ U[i]·w[i] (whole orders: c[i] = U[i]·w[i]);
- stock: c[i] fewer units arrive in r[i];
- money: c[i]·V[i]/U[i] is not paid (``cancellation_savings``), θ[s]·c[i]·V[i]/U[i] + F_c[s]·w[i]
  is charged (``cancellation``);
- cash: the payment of q[i] shrinks by c[i]·O[i]/U[i]; in period 1 the supplier refunds what was
  paid beyond its charge, (P[i] − θ[s]·V[i])·c[i]/U[i] with P[i] = V[i] − O[i], less the fee.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.model.program import ProgramBuilder
from flexsupply.model.terms import MoneyLedger
from flexsupply.scenario import Scenario


@dataclass(frozen=True)
class CancellableOrders:
    """The inbound orders that may be cancelled, each array ``(n_cancellable,)``; periods 0-based."""

    inbound: IntArray
    """Position of the order in ``scenario.inbound``."""
    product: IntArray
    supplier: IntArray
    arrival: IntArray
    units: FloatArray
    """Good units committed, U[i] [units]."""
    value: FloatArray
    """Value of the whole order, V[i] [currency]."""
    owed: FloatArray
    """Still owed within the horizon, O[i] [currency]."""
    payment: IntArray
    """Period O[i] is paid, q[i]."""
    cost_share: FloatArray
    fee: FloatArray
    partial: BoolArray


@dataclass(frozen=True)
class CancelColumns:
    """Columns of the cancellations: ``units`` ``(n_cancellable,)``, ``switch`` -1 where none."""

    units: IntArray
    switch: IntArray


def cancellable_orders(scenario: Scenario) -> CancellableOrders | None:
    """Returns the scenario's inbound orders that its suppliers' terms let the plan cancel.

    Returns:
        ``CancellableOrders``, or None when no order may be cancelled.
    """
    suppliers = {s.id: (k, s) for k, s in enumerate(scenario.suppliers)}
    products = {p: k for k, p in enumerate(scenario.product_ids)}
    rows: list[tuple[int, int, int, int, float, float, float, int, float, float, bool]] = []
    for i, order in enumerate(scenario.inbound):
        if order.supplier is None or not order.cancellable or order.units <= 0:
            continue
        s, supplier = suppliers[order.supplier]
        terms = supplier.cancellation
        if terms is None or order.arrival_period < terms.notice_periods:
            continue
        value = order.payment_due if order.order_value is None else order.order_value
        paid = order.payment_period if order.payment_period is not None else order.arrival_period
        rows.append(
            (
                i,
                products[order.product],
                s,
                order.arrival_period - 1,
                order.units,
                value,
                order.payment_due,
                paid - 1,
                terms.cost_share,
                terms.fee,
                terms.partial,
            )
        )
    if not rows:
        return None
    columns = list(zip(*rows, strict=True))
    whole = [np.array(columns[k], dtype=np.int64) for k in (0, 1, 2, 3, 7)]
    real = [np.array(columns[k], dtype=float) for k in (4, 5, 6, 8, 9)]
    return CancellableOrders(
        inbound=whole[0],
        product=whole[1],
        supplier=whole[2],
        arrival=whole[3],
        units=real[0],
        value=real[1],
        owed=real[2],
        payment=whole[4],
        cost_share=real[3],
        fee=real[4],
        partial=np.array(columns[10], dtype=bool),
    )


def add_cancellations(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    orders: CancellableOrders,
    balance_rows: IntArray,
    cash_rows: IntArray,
) -> CancelColumns:
    """Adds the cancelled units of each cancellable order, their switches, stock and money.

    ``balance_rows`` are the stock balance rows ``(n_products, T, Ω)``, written
    ``I[t] − I[t−1] − arrivals + sales = receipts``; ``cash_rows`` the cash balance rows
    ``(T, Ω)`` (empty without cash), outflows positive.

    Returns:
        The cancellation columns.
    """
    n = len(orders.units)
    units = builder.add_columns("cancel", (n,), 0.0, orders.units, style=orders.product)
    switched = np.flatnonzero((orders.fee > 0) | ~orders.partial)
    switch = np.full(n, -1, dtype=np.int64)
    if len(switched):
        switch[switched] = builder.add_columns(
            "cancel_switch", (len(switched),), 0.0, 1.0, True, style=orders.product[switched]
        )
        whole = ~orders.partial[switched]
        rows = builder.add_rows("cancel_whole", (len(switched),), 0.0, np.where(whole, 0.0, np.inf))
        builder.add_terms(rows, switch[switched], orders.units[switched])
        builder.add_terms(rows, units[switched], -1.0)
    builder.add_terms(balance_rows[orders.product, orders.arrival, :], units[:, None], 1.0)
    per_unit = orders.value / orders.units
    ledger.add("cancellation_savings", units, per_unit, -1)
    ledger.add("cancellation", units, orders.cost_share * per_unit, -1)
    ledger.add("cancellation", switch, orders.fee, -1)
    if cash_rows.size:
        paid = orders.value - orders.owed
        builder.add_terms(
            cash_rows[0][None, :],
            units[:, None],
            ((orders.cost_share * orders.value - paid) / orders.units)[:, None],
        )
        builder.add_terms(
            cash_rows[orders.payment], units[:, None], -(orders.owed / orders.units)[:, None]
        )
        builder.add_terms(cash_rows[0][None, :], switch[:, None], orders.fee[:, None])
    return CancelColumns(units=units, switch=switch)


__all__ = ["CancelColumns", "CancellableOrders", "add_cancellations", "cancellable_orders"]
