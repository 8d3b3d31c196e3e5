"""Committed orders the plan may cancel: what it cancels, keeps, and what that costs and saves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from flexsupply.plan.tables import (
    Column,
    Table,
    money,
    period_cells,
    period_columns,
    period_word,
    plan_dates,
)
from flexsupply.plan.tables import units as unit_cell

if TYPE_CHECKING:
    from flexsupply.model.build import ModelMap
    from flexsupply.plan.plan import Plan
    from flexsupply.scenario import Scenario

CANCEL_TOLERANCE = 1e-6
"""Cancelled units below this are read as none [units]."""


@dataclass(frozen=True)
class Cancellation:
    """One committed (inbound) order that its supplier's terms let the plan cancel or reduce."""

    supplier: str
    product: str
    arrival_period: int
    """Period the order arrives, in the plan's periods (1-based)."""
    units: float
    """Good units committed [units]."""
    cancelled: float
    """Good units the plan cancels (0: kept whole) [units]."""
    charge: float
    """What the supplier charges for the cancellation: share of the cancelled value plus the
    fee [currency]."""
    saved: float
    """Value of the cancelled units, no longer paid [currency]."""
    placed_period: int | None = None
    """Period the order was placed, in the plan's periods (0 or negative: before the plan's
    first period; None when the scenario does not say)."""

    @property
    def kept(self) -> float:
        """Returns the good units still arriving [units]."""
        return self.units - self.cancelled


def read_cancellations(scenario: Scenario, model: ModelMap, x: np.ndarray) -> list[Cancellation]:
    """Returns every cancellable committed order with what the solution ``x`` cancels of it.

    Returns:
        One ``Cancellation`` per cancellable order, in the scenario's ``inbound`` order (empty
        when none may be cancelled).
    """
    orders, columns = model.data.cancellable, model.cancellations
    if orders is None or columns is None:
        return []
    cancelled = x[columns.units]
    cancelled = np.where(cancelled > CANCEL_TOLERANCE, cancelled, 0.0)
    switch = np.where(columns.switch >= 0, x[np.maximum(columns.switch, 0)], 0.0)
    value = cancelled * orders.value / orders.units
    charge = orders.cost_share * value + np.where(cancelled > 0, orders.fee * switch, 0.0)
    result = []
    for i, k in enumerate(orders.inbound):
        inbound = scenario.inbound[int(k)]
        result.append(
            Cancellation(
                supplier=scenario.supplier_ids[int(orders.supplier[i])],
                product=scenario.product_ids[int(orders.product[i])],
                arrival_period=int(orders.arrival[i]) + 1,
                units=float(orders.units[i]),
                cancelled=round(float(cancelled[i]), 6),
                charge=round(float(charge[i]), 6),
                saved=round(float(value[i]), 6),
                placed_period=inbound.placed_period,
            )
        )
    return result


def cancellations_dict(cancellations: Sequence[Cancellation]) -> list[dict[str, Any]]:
    """Returns the cancellations as plan.json holds them."""
    return [asdict(item) for item in cancellations]


def cancellations_from_dict(data: Sequence[Mapping[str, Any]]) -> list[Cancellation]:
    """Returns the cancellations ``cancellations_dict`` wrote."""
    fields = Cancellation.__dataclass_fields__
    return [Cancellation(**{k: v for k, v in item.items() if k in fields}) for item in data]


def cancellations_table(plan: Plan) -> Table:
    """Returns one row per cancellable committed order: units committed, cancelled and kept.

    Periods are the plan's (season period minus ``as_of_period`` for a replan); money in the
    plan's currency, units in good pieces.
    """
    dates = plan_dates(plan)
    when = period_word(plan).lower()
    cur = plan.currency
    columns = [
        Column("supplier", "Supplier"),
        Column("product", "Style"),
        Column("placed_period", f"Placed {when}", "integer"),
        *period_columns("arrival_period", "arrival_date", f"Arrival {when}", dates),
        Column("units", "Committed [pcs]", "units"),
        Column("cancelled", "Cancelled [pcs]", "units"),
        Column("kept", "Kept [pcs]", "units"),
        Column("charge", f"Cancellation charge [{cur}]", "money"),
        Column("saved", f"Not paid [{cur}]", "money"),
    ]
    rows = []
    for item in plan.cancellations:
        rows.append(
            [
                item.supplier,
                item.product,
                item.placed_period,
                *period_cells(item.arrival_period, dates),
                unit_cell(item.units),
                unit_cell(item.cancelled),
                unit_cell(item.kept),
                money(item.charge),
                money(item.saved),
            ]
        )
    return Table("cancellations", columns, rows)


def cancellation_lines(plan: Plan) -> list[str]:
    """Returns the summary lines of the cancellations: one per order cancelled or reduced."""
    done = [item for item in plan.cancellations if item.cancelled > 0]
    if not plan.cancellations:
        return []
    lines = [
        f"  cancellations     {len(done)} of {len(plan.cancellations)} cancellable committed "
        f"orders, charge {sum(i.charge for i in done):,.0f} {plan.currency}, "
        f"not paid {sum(i.saved for i in done):,.0f} {plan.currency}"
    ]
    lines += [
        f"    cancel {item.cancelled:,.0f} of {item.units:,.0f} pcs {item.product} from "
        f"{item.supplier} (arriving in period {item.arrival_period})"
        for item in done
    ]
    return lines


__all__ = [
    "Cancellation",
    "cancellation_lines",
    "cancellations_dict",
    "cancellations_from_dict",
    "cancellations_table",
    "read_cancellations",
]
