"""Small hand-made ``LinearProgram`` objects shared by backend and decomposition tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.program import LinearProgram


def one_column(offset: float = 0.0, integer: bool = False) -> LinearProgram:
    """Returns the program: maximise x + ``offset`` over 0 ≤ x ≤ 1 (optimum x = 1)."""
    return LinearProgram(
        objective=np.array([1.0]),
        matrix=sp.csr_matrix((0, 1)),
        row_lower=np.zeros(0),
        row_upper=np.zeros(0),
        col_lower=np.zeros(1),
        col_upper=np.ones(1),
        integer=np.full(1, integer),
        maximize=True,
        offset=offset,
        column_blocks={},
        row_blocks={},
    )


def knapsack(n: int = 40, m: int = 5, seed: int = 3) -> LinearProgram:
    """Returns a random 0-1 knapsack with ``m`` capacity rows that HiGHS does not solve at the root.

    Item weights are 20..99, capacities half of each row's total weight; maximise the values.
    """
    rng = np.random.default_rng(seed)
    weights = rng.integers(20, 100, size=(m, n)).astype(float)
    values = rng.integers(10, 100, size=n) + weights.mean(axis=0)
    return _binary(values, weights, np.full(m, -np.inf), weights.sum(axis=1) / 2)


def subset_sum(n: int = 30, seed: int = 2) -> LinearProgram:
    """Returns a 0-1 program whose one row asks weights of 1000..4999 to add up to exactly the
    weight of a random half of them (feasible, yet hard to find a solution for)."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(1000, 5000, size=(1, n)).astype(float)
    target = np.array([weights[0, rng.permutation(n)[: n // 2]].sum()])
    return _binary(rng.integers(1, 9, n).astype(float), weights, target, target)


def _binary(
    values: np.ndarray, matrix: np.ndarray, row_lower: np.ndarray, row_upper: np.ndarray
) -> LinearProgram:
    """Returns: maximise ``values``·x s.t. ``row_lower`` ≤ ``matrix`` x ≤ ``row_upper``, x binary."""
    n = values.shape[0]
    return LinearProgram(
        objective=values.astype(float),
        matrix=sp.csr_matrix(matrix),
        row_lower=row_lower,
        row_upper=row_upper,
        col_lower=np.zeros(n),
        col_upper=np.ones(n),
        integer=np.ones(n, dtype=bool),
        maximize=True,
        offset=0.0,
        column_blocks={},
        row_blocks={},
    )


TINY_STYLES = 60
TINY_PERIODS = 4


def many_tiny_styles(n_styles: int = TINY_STYLES) -> Any:
    """A season of ``n_styles`` tiny styles sharing two factories whose capacity binds."""
    products = [f"S{i:02d}" for i in range(n_styles)]
    terms: list[dict[str, Any]] = [
        {"product": p, "unit_cost": 20 + i % 7, "setup_cost": 40, "moq": 10 + i % 3 * 5}
        for i, p in enumerate(products)
    ]
    far_terms = [{**t, "unit_cost": t["unit_cost"] - 3, "lead_time_periods": 1} for t in terms]
    data = {
        "name": "many-styles",
        "horizon": {"periods": TINY_PERIODS},
        "products": [
            {"id": p, "price": 50 + 3 * (i % 11), "salvage_value": 2, "holding_cost": 1}
            for i, p in enumerate(products)
        ],
        "suppliers": [
            {"id": "near", "capacity": 5 * n_styles, "terms": terms},
            {"id": "far", "capacity": 10 * n_styles // 3, "terms": far_terms},
        ],
        "demand": {
            "scenarios": [
                {
                    "name": "only",
                    "probability": 1.0,
                    "units": {
                        p: [5 + i % 9, 8 + i % 5, 12, 6 + i % 4] for i, p in enumerate(products)
                    },
                }
            ]
        },
        "objective": "max_profit",
    }
    scenario = fs.Scenario.model_validate(data)
    return build_program(scenario, demand_scenarios(scenario))[0]
