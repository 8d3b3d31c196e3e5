"""Helpers for tests that solve small YAML scenarios."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

import flexsupply as fs


def plan_for(text: str, backend: str) -> fs.Plan:
    """Solves a YAML scenario and checks what every optimal plan must satisfy."""
    plan = fs.solve(fs.loads(textwrap.dedent(text)), solver=backend)
    assert plan.status == "optimal"
    assert plan.kpis.expected_profit == pytest.approx(plan.objective, abs=1e-6)
    return plan


def rounded_plan_value(scenario: fs.Scenario, plan: fs.Plan, backend: str) -> tuple[float, bool]:
    """Returns the objective of ``plan``'s orders, recomputed apart from the plan's own code.

    The model is built again; every order column and its switch is fixed at the plan's
    quantity (zero where the plan orders nothing) and ``backend`` solves what is left to
    optimality: stock, sales, shipments and cash, plus any other whole decision of the season
    (material lots, credit) the plan files do not show.

    Returns:
        The objective, and whether what was left is an LP (then the plan, whose rounding keeps
        the engine's other whole decisions, must be worth exactly it; otherwise at most it).
    """
    from dataclasses import replace

    import numpy as np

    from flexsupply.backends import SolverOptions, get_backend
    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program

    program, model = build_program(scenario, demand_scenarios(scenario))
    value = order_values(scenario, plan, model, program.n_columns)
    fixed = np.unique(np.concatenate([model.orders.order.ravel(), model.orders.switch.ravel()]))
    fixed = fixed[fixed >= 0]
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    lower[fixed] = upper[fixed] = value[fixed]
    result = get_backend(backend).solve(
        replace(program, col_lower=lower, col_upper=upper), SolverOptions()
    )
    assert result.status == "optimal", result.message
    others = np.setdiff1d(np.flatnonzero(program.integer), fixed)
    return result.objective, len(others) == 0


def order_values(scenario: fs.Scenario, plan: fs.Plan, model: Any, n_columns: int) -> Any:
    """Returns a column vector with the plan's order quantities and switches set, zero elsewhere.

    ``model`` is the ``ModelMap`` of ``build_program(scenario, ...)`` with ``n_columns`` columns.
    """
    import numpy as np

    opts = model.data.options
    value = np.zeros(n_columns)
    for order in plan.orders:
        (o,) = np.flatnonzero(
            (opts.supplier == scenario.supplier_ids.index(order.supplier))
            & (opts.product == scenario.product_ids.index(order.product))
            & (opts.tier == order.tier)
        )
        w = 0 if order.scenario is None else plan.scenarios.index(order.scenario)
        value[model.orders.order[o, order.period - 1, w]] = order.quantity
        switch = model.orders.switch[o, order.period - 1, w]
        if switch >= 0:
            value[switch] = 1.0
    return value
