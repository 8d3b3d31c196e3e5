"""Answers from outside flexsupply: classic algorithms and published instances to test against.

- Wagner & Whitin (1958): uncapacitated single-item lot sizing by dynamic programming.
- The newsvendor critical fractile on an empirical demand distribution.
- Trigeiro, Thomas & McClain (1989) capacitated lot-sizing instances, read into a Scenario.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import flexsupply as fs

# --- Wagner–Whitin -------------------------------------------------------------------------------


def block_cost(demand: list[float], first: int, last: int, setup: float, holding: float) -> float:
    """Cost of one order placed in period ``first`` that covers periods ``first..last`` (0-based).

    The order costs ``setup`` when the block has any demand; each unit for period ``k`` is held at
    the end of periods ``first..k-1``.
    """
    block = demand[first : last + 1]
    fixed = setup if any(d > 0 for d in block) else 0.0
    return fixed + holding * sum((k - first) * d for k, d in enumerate(block, start=first))


def wagner_whitin(demand: list[float], setup: float, holding: float) -> tuple[float, list[int]]:
    """Solves uncapacitated single-item lot sizing by the O(T²) Wagner–Whitin recursion.

    F(j) = min over i ≤ j of F(i-1) + cost of one order in period i covering periods i..j;
    no backlog, zero lead time, zero initial stock, no unit cost.

    Returns:
        ``(minimal total cost, 1-based periods of the orders of one optimal plan)``.
    """
    periods = len(demand)
    best = [0.0] + [math.inf] * periods
    start = [0] * (periods + 1)
    for j in range(1, periods + 1):
        for i in range(1, j + 1):
            cost = best[i - 1] + block_cost(demand, i - 1, j - 1, setup, holding)
            if cost < best[j]:
                best[j], start[j] = cost, i
    orders: list[int] = []
    j = periods
    while j > 0:
        i = start[j]
        if any(d > 0 for d in demand[i - 1 : j]):
            orders.append(i)
        j = i - 1
    return best[periods], sorted(orders)


def order_set_costs(
    demand: list[float], setup: float, holding: float
) -> dict[tuple[int, ...], float]:
    """Returns the cost of every useful set of order periods, by brute force (small T only).

    An order set is useful when every period with demand has an order at or before it and every
    order serves some demand before the next one; each unit comes from the latest order before
    its period. Keys are sorted 1-based periods.
    """
    periods = len(demand)
    costs: dict[tuple[int, ...], float] = {}
    for size in range(periods + 1):
        for chosen in itertools.combinations(range(periods), size):
            bounds = [*chosen, periods]
            if any(d > 0 for d in demand[: bounds[0]]):
                continue
            if any(not any(d > 0 for d in demand[a:b]) for a, b in itertools.pairwise(bounds)):
                continue
            total = sum(
                block_cost(demand, a, b - 1, setup, holding) for a, b in itertools.pairwise(bounds)
            )
            costs[tuple(t + 1 for t in chosen)] = total
    return costs


def unique_optimal_order_set(
    demand: list[float], setup: float, holding: float, tolerance: float = 1e-9
) -> tuple[int, ...] | None:
    """Returns the order periods of the only optimal useful order set, or None when tied."""
    ranked = sorted(order_set_costs(demand, setup, holding).items(), key=lambda item: item[1])
    if len(ranked) > 1 and ranked[1][1] - ranked[0][1] <= tolerance:
        return None
    return ranked[0][0]


def lot_sizing_scenario(
    demand: list[float], setup: float, holding: float, unit_cost: float | list[float] = 0
) -> fs.Scenario:
    """Returns the Wagner–Whitin problem as a flexsupply scenario (one product, one supplier).

    ``unit_cost`` is the purchase price, one number or one per period the order is placed in.
    """
    return fs.Scenario.model_validate(
        {
            "name": "wagner-whitin",
            "horizon": {"periods": len(demand)},
            "products": [{"id": "ITEM", "holding_cost": holding, "unmet_demand": "forbidden"}],
            "suppliers": [
                {
                    "id": "FACTORY",
                    "terms": [{"product": "ITEM", "unit_cost": unit_cost, "setup_cost": setup}],
                }
            ],
            "demand": {"units": {"ITEM": demand}},
            "objective": "min_cost",
        }
    )


# --- Newsvendor ----------------------------------------------------------------------------------


def critical_fractile_quantity(
    demands: list[float], price: float, cost: float, salvage: float
) -> float:
    """Returns the optimal newsvendor order for equiprobable demands: the smallest sorted demand
    d_(k) with k/N ≥ (p − c)/(p − v)."""
    ordered = sorted(demands)
    ratio = (price - cost) / (price - salvage)
    k = math.ceil(ratio * len(ordered) - 1e-12)
    return ordered[max(k, 1) - 1]


def newsvendor_profit(
    demands: list[float], quantity: float, price: float, cost: float, salvage: float
) -> float:
    """Returns the expected profit of ordering ``quantity`` against equiprobable ``demands``."""
    d = np.asarray(demands, dtype=float)
    sold = np.minimum(d, quantity)
    return float(np.mean(price * sold + salvage * (quantity - sold)) - cost * quantity)


def newsvendor_scenario(
    demands: list[float], price: float, cost: float, salvage: float
) -> fs.Scenario:
    """Returns a one-period newsvendor as a flexsupply scenario with one shared order."""
    probability = 1.0 / len(demands)
    return fs.Scenario.model_validate(
        {
            "name": "newsvendor",
            "horizon": {"periods": 1},
            "products": [{"id": "ITEM", "price": price, "salvage_value": salvage}],
            "suppliers": [{"id": "FACTORY", "terms": [{"product": "ITEM", "unit_cost": cost}]}],
            "demand": {
                "scenarios": [
                    {"name": f"d{w}", "probability": probability, "units": {"ITEM": [d]}}
                    for w, d in enumerate(demands)
                ]
            },
            "objective": "max_profit",
        }
    )


# --- Trigeiro capacitated lot sizing -------------------------------------------------------------


@dataclass(frozen=True)
class TrigeiroInstance:
    """One Trigeiro, Thomas & McClain (1989) instance; arrays are per item, demand ``(N, T)``."""

    name: str
    capacity: float
    capacity_per_unit: list[float]
    holding: list[float]
    setup_time: list[float]
    setup_cost: list[float]
    demand: list[list[float]]

    @property
    def n_items(self) -> int:
        """Number of items N."""
        return len(self.holding)

    @property
    def n_periods(self) -> int:
        """Number of periods T."""
        return len(self.demand[0])


def read_trigeiro(path: Path) -> TrigeiroInstance:
    """Reads a Trigeiro instance file (format in ``tests/data/trigeiro/README.md``).

    Returns:
        The instance, named after the file stem.
    """
    tokens = path.read_text(encoding="ascii").split()
    items, periods = int(tokens[0]), int(tokens[1])
    count = 4 + 4 * items + items * periods
    numbers = [float(token) for token in tokens[:count]]
    capacity = numbers[3]
    table = np.array(numbers[4 : 4 + 4 * items]).reshape(items, 4)
    flat = numbers[4 + 4 * items :]
    demand = np.zeros((items, periods))
    position = 0
    for first in range(0, items, 15):
        width = min(15, items - first)
        block = np.array(flat[position : position + periods * width]).reshape(periods, width)
        demand[first : first + width, :] = block.T
        position += periods * width
    return TrigeiroInstance(
        name=path.stem,
        capacity=capacity,
        capacity_per_unit=table[:, 0].tolist(),
        holding=table[:, 1].tolist(),
        setup_time=table[:, 2].tolist(),
        setup_cost=table[:, 3].tolist(),
        demand=demand.tolist(),
    )


def trigeiro_scenario(instance: TrigeiroInstance) -> fs.Scenario:
    """Returns the instance as a flexsupply min-cost scenario: one capacitated supplier."""
    ids = [f"ITEM-{i + 1}" for i in range(instance.n_items)]
    return fs.Scenario.model_validate(
        {
            "name": instance.name,
            "horizon": {"periods": instance.n_periods},
            "products": [
                {"id": ids[i], "holding_cost": instance.holding[i], "unmet_demand": "forbidden"}
                for i in range(instance.n_items)
            ],
            "suppliers": [
                {
                    "id": "PLANT",
                    "capacity": instance.capacity,
                    "terms": [
                        {
                            "product": ids[i],
                            "unit_cost": 0,
                            "capacity_per_unit": instance.capacity_per_unit[i],
                            "setup_time": instance.setup_time[i],
                            "setup_cost": instance.setup_cost[i],
                            "lead_time_periods": 0,
                        }
                        for i in range(instance.n_items)
                    ],
                }
            ],
            "demand": {"units": dict(zip(ids, instance.demand, strict=True))},
            "objective": "min_cost",
        }
    )
