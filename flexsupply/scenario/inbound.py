"""Orders placed before the horizon starts that are still to arrive (in transit).

A replanned season (``flexsupply replan``) starts mid-way: purchase orders placed in earlier
periods are on their way. Their units arrive as scheduled and what is still owed for them is paid
as scheduled, unless their supplier's ``cancellation`` terms let the new plan cancel or reduce
them (``model/cancel.py``). Kept apart from ``schema.py`` so that the scenario schema only names
the blocks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from flexsupply.errors import Problem
from flexsupply.scenario.base import MAX_PERIODS, Model, NonNegative, Period, Periods, Share, Whole

if TYPE_CHECKING:
    from flexsupply.scenario.schema import Scenario


class Cancellation(Model):
    """Whether a supplier lets committed orders be cancelled or reduced, until when, at what cost.

    Cancelling c of the U good units of a committed order of value V saves c·V/U (the cancelled
    units are not paid for) and costs θ·c·V/U plus the fee F_c once per order cancelled or
    reduced; what was already paid counts toward the charge (the supplier refunds the rest, or
    bills the difference, in period 1 of the replan).
    """

    notice_periods: Periods = 0
    """Least number of periods before an order's arrival that it may still be cancelled: an
    order arriving in period r of the replanned horizon may be cancelled when r ≥ this number
    (0: until it arrives) [periods]. Symbol: N[s]."""
    cost_share: Share = 0.0
    """Share of the value of the cancelled units the supplier keeps (fabric bought, line
    booked) [share of order value]. Symbol: θ[s]."""
    fee: NonNegative = 0.0
    """Fixed charge per order cancelled or reduced [currency]. Symbol: F_c[s]."""
    partial: bool = True
    """Orders may be reduced by any number of units; false: an order is cancelled whole or kept."""


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
    order_value: NonNegative | None = None
    """What the whole order costs, paid and still owed [currency]; the base of the cancellation
    charge. Omitted: ``payment_due`` (nothing paid yet). Symbol: V[i]."""
    cancellable: bool = True
    """False: this order stays whatever its supplier's ``cancellation`` terms say (production
    has started)."""


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
        if order.order_value is not None and order.order_value < order.payment_due:
            message = (
                f"must be at least payment_due ({order.payment_due:g}): it is what the whole "
                f"order costs, got {order.order_value:g}"
            )
            problems.append(Problem((*loc, "order_value"), message))
        for field in ("arrival_period", "payment_period"):
            value = getattr(order, field)
            if value is not None and value > periods:
                message = f"must be within the horizon 1..{periods}, got {value}"
                problems.append(Problem((*loc, field), message))
    return problems


__all__ = ["Cancellation", "InboundOrder", "inbound_problems"]
