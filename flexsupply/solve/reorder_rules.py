"""What following the reorder rules gives: the plan's first batch, then each style's rule, per future.

The plan's own reorders use everything about a future; a rule uses only the style's demand
before the reveal. Both are measured on the same demand futures: the first batch and supplier
choices are fixed as planned, every future reorders what the rules say for the demand it shows,
and stock, sales, shipments and cash are re-solved (an LP). The difference in expected profit
is what the rules give up.
"""

from __future__ import annotations

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model import ModelMap
from flexsupply.model.program import LinearProgram
from flexsupply.model.terms import COST_KINDS, REVENUE_KINDS
from flexsupply.plan.rules import ReorderRule, step_of
from flexsupply.scenario import Scenario

RULE_SECONDS = 120.0
"""Safety net on the LP's wall clock [seconds]; it is one LP with every order fixed."""


def rules_profit(
    scenario: Scenario,
    program: LinearProgram,
    model: ModelMap,
    x: FloatArray,
    rules: list[ReorderRule],
) -> float | None:
    """Returns the expected profit of following ``rules`` after the plan's first batch.

    Args:
        scenario: the scenario the plan was made for.
        program: its program.
        model: the map of the program's columns.
        x: the plan's solution (first batch, switches and supplier choices are kept).
        rules: the reorder rules, one per reordered style.

    Returns:
        Expected profit over the demand futures [currency], or None when the rules' reorders
        cannot all be placed in some future (capacity, cash or a service target).
    """
    orders, switches = model.orders.order, model.orders.switch
    opts, reveal = model.data.options, model.data.reveal
    value = x.copy()
    late = np.zeros_like(orders, dtype=bool)
    late[:, reveal:, :] = True
    value[orders[late & (orders >= 0)]] = 0.0
    value[switches[late & (switches >= 0)]] = 0.0
    observed = model.demand.units[:, :, :reveal].sum(axis=2)
    for rule in rules:
        p = scenario.product_ids.index(rule.product)
        for w in range(model.demand.n_scenarios):
            for line in step_of(rule, float(observed[w, p])).lines:
                (o,) = np.flatnonzero(
                    (opts.product == p)
                    & (opts.supplier == scenario.supplier_ids.index(line.supplier))
                    & (opts.tier == line.tier)
                )
                value[orders[o, line.period - 1, w]] = line.quantity
                if switches[o, line.period - 1, w] >= 0:
                    value[switches[o, line.period - 1, w]] = 1.0
    fixed = np.union1d(np.flatnonzero(program.integer), np.unique(orders[orders >= 0]))
    lp = HighsCopy(program)
    lp.set_bounds(fixed, value[fixed], value[fixed])
    if not lp.run(RULE_SECONDS):
        return None
    following = lp.values()
    following[fixed] = value[fixed]
    n = model.demand.n_scenarios
    money = {kind: term.per_scenario(following, n) for kind, term in model.ledger.terms.items()}
    profit = sum(money[k] for k in REVENUE_KINDS) - sum(money[k] for k in COST_KINDS)
    return float(model.demand.probabilities @ profit)
