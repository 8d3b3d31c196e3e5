"""A first plan for a season with several demand scenarios, from its mean-demand plan.

Plan the season as if the probability-weighted mean demand were certain, keep that plan's first
batch (orders before the reveal period and the suppliers onboarded) and give each scenario its
own reorders, planned for that scenario alone. This is the plan whose value Birge & Louveaux
call EEV (*Introduction to Stochastic Programming*, §4.1): always feasible when each scenario
has a recourse, and found with one small program per scenario instead of the whole season at
once, so it scales with the number of scenarios where a dive on the whole program does not.
Both the mean-demand plan and the reorders come from LP dives (``lp_dive.py``); the mean-demand
plan is then improved by fix-and-optimise.
"""

from __future__ import annotations

import time

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.demand import DemandScenarios
from flexsupply.heuristics.fix_optimize import fix_and_optimize
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model.build import FirstStage, ModelMap, build_program, first_stage_of
from flexsupply.model.groups import period_of_column, style_of_column
from flexsupply.model.program import LinearProgram
from flexsupply.scenario import Scenario

MEAN_PLAN_SHARE = 0.4
"""Share of the time left given to planning a first batch; the scenarios' reorders get the
rest."""
LOWER_DEMAND_QUANTILES = (0.25, 0.0)
"""When the mean-demand first batch leaves some scenario without a plan, it is planned again
for these quantiles of each style's weekly demand across the scenarios, in turn."""


def neighbourhoods(model: ModelMap, n_columns: int) -> list[IntArray]:
    """Returns the parts fix-and-optimise re-plans in turn: weeks of every style, then styles."""
    return [period_of_column(model, n_columns), style_of_column(model, n_columns)]


def mean_value_start(
    scenario: Scenario,
    demand: DemandScenarios,
    program: LinearProgram,
    model: ModelMap,
    deadline: float,
    seed: int = 0,
) -> FloatArray | None:
    """Returns a feasible solution of ``program`` built from the mean-demand plan, or None.

    ``program`` and ``model`` are ``build_program(scenario, demand)``; ``deadline`` is a
    ``time.perf_counter()`` value. The first batch of the mean-demand plan may leave a weak
    scenario no recourse (its stock overflows the warehouse, or its cash runs out); then the
    first batch is planned again for lower demand, each ``LOWER_DEMAND_QUANTILES`` in turn.
    None when the season has one scenario or no first batch, when no first batch works for
    every scenario in time, or when the reorders together break a requirement that ties
    scenarios (a service level on an expectation).
    """
    # Reorders copied from each scenario's own plan would disagree inside a tree node.
    if demand.n_scenarios < 2 or model.data.reveal == 0 or model.tree:
        return None
    alone = scenario.model_copy(update={"risk": None, "service": None})
    levels = [demand.expected()] + [
        np.quantile(demand.units, q, axis=0) for q in LOWER_DEMAND_QUANTILES
    ]
    for number, level in enumerate(levels):
        left = deadline - time.perf_counter()
        plan_deadline = time.perf_counter() + MEAN_PLAN_SHARE * left / (len(levels) - number)
        first = _first_batch(alone, level, plan_deadline, seed)
        if first is None:
            continue
        values = first_stage_values(program, model, first)
        if _add_reorders(values, alone, demand, model, first, deadline):
            return _complete(program, values, deadline)
        if time.perf_counter() > deadline:
            return None
    return None


def _first_batch(
    scenario: Scenario, units: FloatArray, deadline: float, seed: int
) -> FirstStage | None:
    """Returns the first batch of a plan for demand ``units`` ``(P, T)`` as if it were certain."""
    level = DemandScenarios(units[None], np.ones(1), ["level"])
    level_program, level_model = build_program(scenario, level)
    x = dive(level_program, deadline)
    if x is None:
        return None
    parts = neighbourhoods(level_model, level_program.n_columns)
    x = fix_and_optimize(level_program, x, parts, deadline, seed).x
    return first_stage_of(level_model, x)


def _add_reorders(
    values: FloatArray,
    scenario: Scenario,
    demand: DemandScenarios,
    model: ModelMap,
    first: FirstStage,
    deadline: float,
) -> bool:
    """Plans each scenario's reorders alone after ``first``; False when one has no plan."""
    for w in range(demand.n_scenarios):
        one = DemandScenarios(demand.units[w : w + 1], np.ones(1), [demand.names[w]])
        one_program, one_model = build_program(scenario, one, fixed_first_stage=first)
        one_x = dive(one_program, deadline)
        if one_x is None:
            return False
        _copy_reorders(values, model, one_x, one_model, w)
    return True


def first_stage_values(program: LinearProgram, model: ModelMap, first: FirstStage) -> FloatArray:
    """Returns a column vector (nan where unset) holding the first batch's orders and switches."""
    values = np.full(program.n_columns, np.nan)
    reveal = model.data.reveal
    shared = model.orders.order[:, :reveal, 0]
    values[shared] = first.quantity
    switch = model.orders.switch[:, :reveal, 0]
    has = switch >= 0
    values[switch[has]] = (first.quantity[has] > 0).astype(float)
    lots = model.orders.lots[:, :reveal, 0]
    has = lots >= 0
    multiple = np.broadcast_to(model.data.options.multiple[:, None], lots.shape)
    values[lots[has]] = first.quantity[has] / multiple[has]
    select = model.orders.select
    chosen = select >= 0
    values[select[chosen]] = first.selected[chosen].astype(float)
    return values


def _copy_reorders(
    values: FloatArray, model: ModelMap, one_x: FloatArray, one_model: ModelMap, w: int
) -> None:
    """Copies scenario ``w``'s reorders (from its own program) into the whole season's columns."""
    reveal = model.data.reveal
    for whole, own in (
        (model.orders.order, one_model.orders.order),
        (model.orders.switch, one_model.orders.switch),
        (model.orders.lots, one_model.orders.lots),
    ):
        target = whole[:, reveal:, w]
        source = own[:, reveal:, 0]
        used = (target >= 0) & (source >= 0)
        values[target[used]] = one_x[source[used]]


def _complete(program: LinearProgram, values: FloatArray, deadline: float) -> FloatArray | None:
    """Returns the program's solution with its integer columns fixed at ``values``, or None."""
    integer = np.flatnonzero(program.integer)
    fixed = integer[~np.isnan(values[integer])]
    if len(fixed) < len(integer):
        return None
    settled = np.clip(np.round(values[fixed]), program.col_lower[fixed], program.col_upper[fixed])
    relaxed = HighsCopy(program)
    relaxed.set_bounds(fixed, settled, settled)
    if not relaxed.run(max(deadline - time.perf_counter(), 0.0)):
        return None
    return relaxed.values()


__all__ = ["first_stage_values", "mean_value_start", "neighbourhoods"]
