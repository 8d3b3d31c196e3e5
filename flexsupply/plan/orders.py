"""A purchase order of a plan: what, from whom, when, its setup, payments and factory capacity."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TypeVar

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
    node: str | None = None
    """The scenario-tree node whose scenarios all place this reorder (``demand.scenarios[*].nodes``;
    None: the first batch, or a reorder of its scenario alone)."""


class NodeOrder(Protocol):
    """What ``once_per_node`` reads of an order (``Order`` or the report's ``OrderData``)."""

    @property
    def supplier(self) -> str:
        """Supplier id."""

    @property
    def product(self) -> str:
        """Style id."""

    @property
    def period(self) -> int:
        """Period placed."""

    @property
    def node(self) -> str | None:
        """Tree node sharing the order."""


OrderT = TypeVar("OrderT", bound=NodeOrder)


def once_per_node(orders: list[OrderT]) -> list[OrderT]:
    """Returns the orders with a reorder shared by a tree node's scenarios listed once.

    Returns:
        The orders in their order; of the copies of a node's reorder (one per scenario of the
        node), the first.
    """
    seen: set[tuple[str, str, int, str]] = set()
    kept = []
    for order in orders:
        if order.node is not None:
            key = (order.supplier, order.product, order.period, order.node)
            if key in seen:
                continue
            seen.add(key)
        kept.append(order)
    return kept


def order_dict(order: Order) -> dict[str, Any]:
    """Returns an order as plan.json holds it: a whole quantity as an int, nan as None."""
    data = {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in asdict(order).items()
    }
    data = {k: round(v, 6) if isinstance(v, float) else v for k, v in data.items()}
    if float(order.quantity).is_integer():
        data["quantity"] = int(order.quantity)
    if order.node is None:
        del data["node"]
    return data
