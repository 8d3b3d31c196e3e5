"""Purchase orders read from a solved program, with their setup, payments and factory capacity."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from flexsupply.model.build import ModelMap
from flexsupply.scenario import Scenario

QUANTITY_TOLERANCE = 1e-6
"""Order quantities below this are read as "no order" [units]."""


@dataclass(frozen=True)
class Order:
    """One purchase order: what to order from whom, when, and what it costs."""

    supplier: str
    product: str
    period: int
    """Period the order is placed (1-based)."""
    arrival_period: int
    """Period the good units arrive in stock (1-based)."""
    quantity: float
    """Units ordered [units]; whole units unless the scenario sets ``whole_pieces: false``."""
    good_units: float
    """Units expected to pass inspection [units]."""
    unit_cost: float
    """Price per unit at the order's tier [currency/unit]."""
    total_cost: float
    """Quantity times unit cost plus setup cost [currency]."""
    tier: int
    """0 for the term's own price, i + 1 for ``discount_tiers[i]``."""
    scenario: str | None
    """None for a shared (first-stage) order; the demand scenario's name for a reorder."""
    setup_cost: float = 0.0
    """Fixed cost of placing the order, included in ``total_cost`` [currency]."""
    upfront_payment: float = 0.0
    """Paid when the order is placed: the supplier's upfront share of the goods plus the setup
    [currency]."""
    balance_payment: float = 0.0
    """The rest of the goods' cost [currency]."""
    balance_period: int = 0
    """Period the balance is paid: arrival plus the supplier's balance lag (1-based; may lie past
    the horizon, where the cash model no longer follows it)."""
    capacity_used: float = 0.0
    """Supplier capacity the order takes: units times capacity per unit plus setup time, in
    the supplier's capacity unit."""


def read_orders(scenario: Scenario, model: ModelMap, x: np.ndarray) -> list[Order]:
    """Returns the plan's orders, sorted by period, reorder future, supplier and product.

    A shared order (placed before the reveal period) appears once; a reorder once per demand
    scenario it is placed in. Money in the scenario's currency, quantities in units.
    """
    opts, sups = model.data.options, model.data.suppliers
    order_cols, switch_cols = model.orders.order, model.orders.switch
    quantity = x[order_cols]
    orders: list[Order] = []
    seen: set[int] = set()
    for o, t, w in zip(*np.nonzero(quantity > QUANTITY_TOLERANCE), strict=True):
        column = int(order_cols[o, t, w])
        if column in seen:
            continue
        seen.add(column)
        q = float(quantity[o, t, w])
        q = float(round(q)) if abs(q - round(q)) <= QUANTITY_TOLERANCE else round(q, 6)
        s = int(opts.supplier[o])
        switched = switch_cols[o, t, w] >= 0
        setup = float(opts.setup_cost[o]) if switched else 0.0
        goods = q * float(opts.unit_cost[o])
        upfront = float(sups.upfront_share[s])
        orders.append(
            Order(
                supplier=scenario.supplier_ids[s],
                product=scenario.product_ids[int(opts.product[o])],
                period=int(t) + 1,
                arrival_period=int(t + opts.lead_time[o]) + 1,
                quantity=q,
                good_units=round(q * float(sups.good_share[s]), 6),
                unit_cost=float(opts.unit_cost[o]),
                total_cost=round(goods + setup, 6),
                tier=int(opts.tier[o]),
                scenario=None if t < model.data.reveal else model.demand.names[int(w)],
                setup_cost=setup,
                upfront_payment=round(upfront * goods + setup, 6),
                balance_payment=round(goods - upfront * goods, 6),
                balance_period=int(t + opts.lead_time[o] + sups.balance_lag[s]) + 1,
                capacity_used=round(
                    q * float(opts.capacity_use[o])
                    + (float(opts.setup_time[o]) if switched else 0.0),
                    6,
                ),
            )
        )
    order_of_future = {name: w for w, name in enumerate(model.demand.names)}
    orders.sort(
        key=lambda order: (
            order.period,
            -1 if order.scenario is None else order_of_future[order.scenario],
            order.supplier,
            order.product,
        )
    )
    return orders


def capacity_use(
    scenario: Scenario, model: ModelMap, x: np.ndarray, probs: np.ndarray
) -> tuple[dict[str, list[float]], dict[str, list[float | None]]]:
    """Returns expected capacity used and capacity available per supplier and period.

    Both are in each supplier's capacity unit; available is None where capacity is unlimited.
    """
    opts, sups = model.data.options, model.data.suppliers
    order = x[model.orders.order]
    switch = np.where(model.orders.switch >= 0, x[np.maximum(model.orders.switch, 0)], 0.0)
    use = order * opts.capacity_use[:, None, None] + switch * opts.setup_time[:, None, None]
    expected = np.einsum("otw,w->ot", use, probs)
    by_supplier = np.zeros((len(scenario.suppliers), model.data.n_periods))
    np.add.at(by_supplier, opts.supplier, expected)
    used = {sid: [float(v) for v in by_supplier[s]] for s, sid in enumerate(scenario.supplier_ids)}
    available: dict[str, list[float | None]] = {
        sid: [None if math.isinf(v) else float(v) for v in sups.capacity[s]]
        for s, sid in enumerate(scenario.supplier_ids)
    }
    return used, available
