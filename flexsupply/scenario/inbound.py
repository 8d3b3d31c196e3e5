"""Orders placed before the horizon starts that are still to arrive (in transit).

A replanned season (``flexsupply replan``) starts mid-way: purchase orders placed in earlier
periods are on their way. They are not decisions of the new plan: their units arrive as
scheduled and what is still owed for them is paid as scheduled. Kept apart from ``schema.py`` so
that the scenario schema only names the block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from flexsupply.errors import Problem
from flexsupply.scenario.base import MAX_PERIODS, Model, NonNegative, Period, Whole

if TYPE_CHECKING:
    from flexsupply.scenario.schema import Scenario


class InboundOrder(Model):
    """Units on their way: a purchase order already placed, or customer returns."""

    supplier: str | None = None
    """Supplier the order was placed with; omitted: customer returns of earlier sales, whose
    ``payment_due`` is the refunds and handling."""
    product: str
    """Product ordered."""
    units: NonNegative
    """Good units expected to arrive (defects already taken off) [units]. Symbol: Q[p,t]."""
    arrival_period: Period
    """Period the units arrive in stock."""
    payment_due: NonNegative = 0.0
    """What is still owed to the supplier for this order [currency]."""
    payment_period: Period | None = None
    """Period ``payment_due`` is paid; omitted: the arrival period."""
    placed_period: Whole | None = Field(None, ge=-MAX_PERIODS, le=0)
    """Period the order was placed, counted from the start of this horizon (0 or negative:
    before it; only used to label outputs)."""


def inbound_problems(scenario: Scenario) -> list[Problem]:
    """Returns the problems of the scenario's inbound orders that need the rest of the scenario.

    Returns:
        One problem per unknown product or supplier, supplier without terms for the product, and
        arrival or payment period after the horizon.
    """
    periods = scenario.horizon.periods
    makes = {s.id: {p for terms in s.terms for p in terms.product_ids} for s in scenario.suppliers}
    products = set(scenario.product_ids)
    problems: list[Problem] = []
    for i, order in enumerate(scenario.inbound):
        loc: tuple[str | int, ...] = ("inbound", i)
        if order.product not in products:
            problems.append(Problem((*loc, "product"), f"unknown product {order.product!r}"))
        if order.supplier is None:
            pass
        elif order.supplier not in makes:
            problems.append(Problem((*loc, "supplier"), f"unknown supplier {order.supplier!r}"))
        elif order.product in products and order.product not in makes[order.supplier]:
            message = f"supplier {order.supplier!r} has no terms for {order.product!r}"
            problems.append(Problem((*loc, "product"), message))
        for field in ("arrival_period", "payment_period"):
            value = getattr(order, field)
            if value is not None and value > periods:
                message = f"must be within the horizon 1..{periods}, got {value}"
                problems.append(Problem((*loc, field), message))
    return problems


__all__ = ["InboundOrder", "inbound_problems"]
