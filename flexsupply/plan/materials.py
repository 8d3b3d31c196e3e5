"""The plan's materials table: material orders, stock and usage per style, read from a solution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from flexsupply.arrays import FloatArray

if TYPE_CHECKING:
    from flexsupply.model.build import ModelMap
    from flexsupply.scenario import Scenario

QUANTITY_TOLERANCE = 1e-6
"""Material orders below this are read as "no order" [material unit]."""


@dataclass(frozen=True)
class MaterialOrder:
    """One material order: how much of which material from whom, when, at what price."""

    material: str
    supplier: str
    period: int
    """Period the order is placed (1-based)."""
    arrival_period: int
    """Period the material arrives in stock (1-based)."""
    quantity: float
    """Material ordered [material unit]."""
    unit_cost: float
    """Price per material unit at the order's tier and period [currency/material unit]."""
    total_cost: float
    """Quantity times unit cost [currency]."""
    scenario: str | None
    """None for an order shared by all scenarios (bought before the reveal); else its scenario."""


@dataclass(frozen=True)
class MaterialUse:
    """One material through the season, per scenario and period.

    ``ordered``, ``stock`` (end of period) and each style's ``used`` are ``(Ω, T)`` in the
    material's unit; a style uses its material in the period its sewing order is placed.
    """

    material: str
    unit: str
    ordered: FloatArray
    stock: FloatArray
    used: dict[str, FloatArray]

    def to_dict(self, probabilities: FloatArray, names: list[str]) -> dict[str, Any]:
        """Returns the expected values per period and each scenario's, JSON-ready.

        Returns:
            ``material``, ``unit`` and ``expected`` and ``by_scenario`` tables of ``ordered``,
            ``stock`` and ``used`` per style [material unit].
        """

        def rounded(values: FloatArray) -> list[float]:
            return [round(float(v), 4) for v in values]

        def tables(pick: Any) -> dict[str, Any]:
            return {
                "ordered": rounded(pick(self.ordered)),
                "stock": rounded(pick(self.stock)),
                "used": {style: rounded(pick(values)) for style, values in self.used.items()},
            }

        return {
            "material": self.material,
            "unit": self.unit,
            "expected": tables(lambda values: probabilities @ values),
            "by_scenario": {
                name: tables(lambda values, w=w: values[w]) for w, name in enumerate(names)
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], names: list[str]) -> MaterialUse:
        """Returns the material ``to_dict`` wrote, for the scenarios ``names`` in that order."""
        by = data["by_scenario"]
        styles = list(by[names[0]]["used"]) if names else []
        return cls(
            material=str(data["material"]),
            unit=str(data["unit"]),
            ordered=np.array([by[name]["ordered"] for name in names], dtype=float),
            stock=np.array([by[name]["stock"] for name in names], dtype=float),
            used={
                style: np.array([by[name]["used"][style] for name in names], dtype=float)
                for style in styles
            },
        )


def read_materials(
    scenario: Scenario, model: ModelMap, x: FloatArray
) -> tuple[list[MaterialUse], list[MaterialOrder]] | None:
    """Returns the materials table and the material orders, or None without materials.

    Returns:
        ``(one MaterialUse per material, material orders by period)``.
    """
    if not scenario.materials:
        return None
    mats, cols = model.materials, model.material_columns
    periods, n_scen = model.data.n_periods, model.demand.n_scenarios
    quantity = np.where(cols.order >= 0, x[np.maximum(cols.order, 0)], 0.0)  # (K, T, Ω)
    stock = x[cols.stock]  # (M, T, Ω)
    sewn = np.zeros((len(scenario.products), periods, n_scen))
    np.add.at(sewn, model.data.options.product, x[model.orders.order])
    uses: list[MaterialUse] = []
    for m, material in enumerate(scenario.materials):
        ordered = quantity[mats.material == m].sum(axis=0)  # (T, Ω)
        users = np.flatnonzero(mats.usage[:, m] > 0)
        uses.append(
            MaterialUse(
                material=material.id,
                unit=material.unit,
                ordered=ordered.T,
                stock=stock[m].T,
                used={scenario.product_ids[p]: (mats.usage[p, m] * sewn[p]).T for p in users},
            )
        )
    return uses, _orders(scenario, model, quantity)


def _orders(scenario: Scenario, model: ModelMap, quantity: FloatArray) -> list[MaterialOrder]:
    mats, cols = model.materials, model.material_columns
    suppliers = [terms.supplier for material in scenario.materials for terms in material.suppliers]
    orders: list[MaterialOrder] = []
    seen: set[int] = set()
    for k, t, w in zip(*np.nonzero(quantity > QUANTITY_TOLERANCE), strict=True):
        column = int(cols.order[k, t, w])
        if column in seen:
            continue
        seen.add(column)
        q, price = float(quantity[k, t, w]), float(mats.unit_cost[k, t])
        orders.append(
            MaterialOrder(
                material=scenario.materials[int(mats.material[k])].id,
                supplier=suppliers[int(mats.term[k])],
                period=int(t) + 1,
                arrival_period=int(t + mats.lead_time[k]) + 1,
                quantity=round(q, 6),
                unit_cost=price,
                total_cost=round(q * price, 6),
                scenario=None if t < model.data.reveal else model.demand.names[int(w)],
            )
        )
    orders.sort(key=lambda o: (o.period, o.scenario or "", o.material, o.supplier))
    return orders


def materials_dict(
    uses: list[MaterialUse],
    orders: list[MaterialOrder],
    probabilities: FloatArray,
    names: list[str],
) -> dict[str, Any]:
    """Returns the material orders and the materials table as JSON-ready data."""
    return {
        "orders": [asdict(order) for order in orders],
        "by_material": [use.to_dict(probabilities, names) for use in uses],
    }


def materials_from_dict(
    data: Mapping[str, Any], names: list[str]
) -> tuple[list[MaterialUse], list[MaterialOrder]]:
    """Returns the materials table and orders ``materials_dict`` wrote."""
    uses = [MaterialUse.from_dict(item, names) for item in data["by_material"]]
    return uses, [MaterialOrder(**order) for order in data["orders"]]
