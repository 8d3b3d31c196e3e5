"""Numbers the report's charts draw, computed from the plan data (numpy only, no plotting)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.plan.files import PlanData

BAND = (0.1, 0.9)
"""Quantiles of the inventory band across demand scenarios: P10 and P90."""


def weighted_quantiles(
    values: FloatArray, probabilities: FloatArray, quantiles: tuple[float, ...]
) -> FloatArray:
    """Returns probability-weighted quantiles of ``values`` over its first axis.

    ``values`` has shape ``(Ω, ...)``, ``probabilities`` shape ``(Ω,)`` (normalised here). The
    q-quantile is the smallest value whose cumulative probability reaches q (the inverse of the
    discrete distribution function). Result shape ``(len(quantiles), ...)``, in ``values``' units.
    """
    weights = np.asarray(probabilities, dtype=float)
    weights = weights / weights.sum()
    order = np.argsort(values, axis=0, kind="stable")
    ranked = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0)
    result = np.empty((len(quantiles), *values.shape[1:]))
    for i, q in enumerate(quantiles):
        # Tolerance so that q = 0.8 is reached by 0.3 + 0.5 despite rounding.
        index = np.minimum((cumulative < q - 1e-9).sum(axis=0), values.shape[0] - 1)
        result[i] = np.take_along_axis(ranked, index[None, ...], axis=0)[0]
    return result


@dataclass(frozen=True)
class InventoryBands:
    """Stock per product and period: the expectation and the P10-P90 band [units]."""

    products: list[str]
    expected: FloatArray
    """Shape ``(n_products, T)``."""
    low: FloatArray
    """P10 across demand scenarios, shape ``(n_products, T)``."""
    high: FloatArray
    """P90 across demand scenarios, shape ``(n_products, T)``."""


def inventory_bands(plan: PlanData) -> InventoryBands:
    """Returns expected stock and its P10-P90 band per product and period [units]."""
    products = plan.products
    by_scenario = np.array(
        [
            [plan.inventory.by_scenario[name][product] for product in products]
            for name in plan.scenario_names
        ],
        dtype=float,
    ).reshape(len(plan.scenario_names), len(products), plan.n_periods)
    low, high = weighted_quantiles(by_scenario, np.asarray(plan.probabilities), BAND)
    expected = np.array([plan.inventory.expected[p] for p in products], dtype=float)
    return InventoryBands(
        products, expected.reshape(len(products), plan.n_periods), low.copy(), high.copy()
    )


PRODUCT_GAP = 0.5
"""Extra space between two products' rows in the order timeline [rows]."""
MAX_SCENARIO_ROWS = 7
"""With more demand scenarios than this, a product's reorders share one row."""
POOLED = "*"
"""``OrderMark.scenario`` of reorders pooled over several scenarios."""


@dataclass(frozen=True)
class OrderMark:
    """One arrow of the order timeline: an order, or same-timed reorders of several scenarios."""

    period: int
    arrival_period: int
    y: float
    """Row position [rows from the top]."""
    low: float
    """Smallest quantity of the orders drawn [units]."""
    high: float
    """Largest quantity of the orders drawn [units]."""
    scenario: str | None
    """None: shared order; a scenario name; ``POOLED``: reorders of ``count`` scenarios."""
    count: int = 1

    @property
    def label(self) -> str:
        """Returns the text next to the arrow: units, a range, and the scenario count if pooled."""
        units = (
            f"{self.low:,.0f}"
            if self.high - self.low < 0.5
            else f"{self.low:,.0f}–{self.high:,.0f}"
        )
        return units if self.scenario != POOLED else f"{units} (in {self.count})"


@dataclass(frozen=True)
class SupplierLanes:
    """Orders of one supplier laid out for the timeline.

    Each product gets one row for its shared orders and one per demand scenario with
    reorders of it (one for all reorders when there are many scenarios), so that no two
    kinds of order overlap.
    """

    supplier: str
    products: list[tuple[str, float]]
    """Each product with the y position of the middle of its rows (top to bottom)."""
    separators: list[float]
    """y positions between two products."""
    marks: list[OrderMark]
    height: float
    """Total height [rows]."""


def supplier_lanes(
    plan: PlanData, label_periods: Callable[[str], float] = lambda text: 0.1 * len(text)
) -> list[SupplierLanes]:
    """Returns the orders of each supplier that has any; products in plan order.

    ``label_periods`` gives the width of an arrow's label on the time axis [periods]; an arrow
    that would start under the label of the one before it goes on a row of its own.
    """
    rank = {product: i for i, product in enumerate(plan.products)}
    names = plan.scenario_names
    pooled = len(names) > MAX_SCENARIO_ROWS
    lanes = []
    for supplier in sorted({order.supplier for order in plan.orders}, key=_supplier_rank(plan)):
        groups: dict[tuple[str, str | None, int, int], list[float]] = {}
        for order in plan.orders:
            if order.supplier == supplier:
                kind = POOLED if pooled and order.scenario is not None else order.scenario
                key = (order.product, kind, order.period, order.arrival_period)
                groups.setdefault(key, []).append(order.quantity)
        products = sorted({key[0] for key in groups}, key=lambda p: rank.get(p, len(rank)))
        y = 0.0
        centres: list[tuple[str, float]] = []
        separators: list[float] = []
        marks: list[OrderMark] = []
        for product in products:
            kinds = {key[1] for key in groups if key[0] == product}
            rows: list[str | None] = [None] if None in kinds else []
            rows += [k for k in [*names, POOLED] if k in kinds]
            rows += sorted(k for k in kinds if k is not None and k not in rows)
            if centres:
                separators.append(y - 0.5 - PRODUCT_GAP / 2)
            top = y
            for kind in rows:
                placed = [
                    OrderMark(period, arrival, 0.0, min(qs), max(qs), kind, len(qs))
                    for (p, k, period, arrival), qs in sorted(groups.items(), key=_by_time)
                    if p == product and k == kind
                ]
                ends: list[float] = []
                for mark in placed:
                    row = next((r for r, end in enumerate(ends) if end < mark.period - 0.2), None)
                    if row is None:
                        row = len(ends)
                        ends.append(0.0)
                    ends[row] = mark.arrival_period + label_periods(mark.label)
                    marks.append(replace(mark, y=y + row))
                y += len(ends)
            centres.append((product, (top + y - 1) / 2))
            y += PRODUCT_GAP
        lanes.append(SupplierLanes(supplier, centres, separators, marks, y - PRODUCT_GAP))
    return lanes


def _by_time(item: tuple[tuple[str, str | None, int, int], list[float]]) -> tuple[int, int]:
    return item[0][2], item[0][3]


def _supplier_rank(plan: PlanData) -> Callable[[str], tuple[int, str]]:
    """Returns a sort key: suppliers in plan order, any not in the capacity table last."""
    order = {supplier: i for i, supplier in enumerate(plan.capacity)}
    return lambda supplier: (order.get(supplier, len(order)), supplier)
