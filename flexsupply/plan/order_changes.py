"""What a replan changed in the orders: added, changed and cancelled, period by period.

A replanned plan carries ``as_of_period`` a (its period t is season period t + a); orders are
compared in season periods, and only from period a + 1 on (earlier orders are the actuals). A
plan's units per (supplier, style, period) are its expected units: shared orders count in full,
reorders with their scenario's probability. Committed orders the new plan cancels or reduces
(``Plan.cancellations``) are ``cancelled`` lines in good units, at the period they were placed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flexsupply.plan.plan import Plan

CHANGE_TOLERANCE = 0.5
"""Expected units closer than this are the same order [units]."""


@dataclass(frozen=True)
class OrderChange:
    """One (supplier, style, season period) whose expected units differ between two plans."""

    kind: str
    """``added``, ``changed`` or ``cancelled``."""
    supplier: str
    product: str
    period: int
    """Season period the order is placed (1-based)."""
    old_units: float
    """Expected units in the old plan [units]."""
    new_units: float
    """Expected units in the new plan [units]."""


def expected_orders(plan: Plan, first_period: int = 1) -> dict[tuple[str, str, int], float]:
    """Returns a plan's expected units per (supplier, style, season period) from ``first_period``.

    Returns:
        Units per key [units]; shared orders in full, reorders weighted by their scenario's
        probability.
    """
    weights = dict(zip(plan.scenarios, plan.probabilities, strict=True))
    units: dict[tuple[str, str, int], float] = defaultdict(float)
    for order in plan.orders:
        period = order.period + plan.as_of_period
        if period < first_period:
            continue
        weight = 1.0 if order.scenario is None else weights.get(order.scenario, 0.0)
        units[order.supplier, order.product, period] += weight * order.quantity
    return dict(units)


def order_changes(old: Plan, new: Plan) -> list[OrderChange]:
    """Returns the orders the new plan adds, changes or cancels against the old one.

    Returns:
        Changes sorted by season period, supplier and style; from the later plan's first
        period on.
    """
    start = max(old.as_of_period, new.as_of_period) + 1
    before, after = expected_orders(old, start), expected_orders(new, start)
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[2], k[0], k[1])):
        a, b = before.get(key, 0.0), after.get(key, 0.0)
        if abs(a - b) < CHANGE_TOLERANCE:
            continue
        kind = (
            "added" if a < CHANGE_TOLERANCE else "cancelled" if b < CHANGE_TOLERANCE else "changed"
        )
        changes.append(OrderChange(kind, key[0], key[1], key[2], a, b))
    return changes + committed_cancellations(new)


def committed_cancellations(plan: Plan) -> list[OrderChange]:
    """Returns the committed orders the plan cancels or reduces, as ``cancelled`` changes.

    Returns:
        One change per order cancelled in part or whole: its good units committed and kept, at
        the season period it was placed (its arrival when the scenario does not say).
    """
    return [
        OrderChange(
            "cancelled",
            item.supplier,
            item.product,
            plan.as_of_period
            + (item.arrival_period if item.placed_period is None else item.placed_period),
            item.units,
            item.kept,
        )
        for item in plan.cancellations
        if item.cancelled > 0
    ]


def order_changes_table(changes: list[OrderChange]) -> str:
    """Returns the changes as a readable table (one line when there are none)."""
    if not changes:
        return "Orders: no change"
    lines = [
        "Orders (expected units, season periods)",
        f"  {'change':<10}{'period':>7}  {'supplier':<14}{'style':<14}{'old':>10}{'new':>10}",
    ]
    lines += [
        f"  {c.kind:<10}{c.period:>7}  {c.supplier:<14}{c.product:<14}"
        f"{c.old_units:>10,.0f}{c.new_units:>10,.0f}"
        for c in changes
    ]
    return "\n".join(lines)


__all__ = [
    "CHANGE_TOLERANCE",
    "OrderChange",
    "committed_cancellations",
    "expected_orders",
    "order_changes",
    "order_changes_table",
]
