"""A per-style newsvendor first batch: the simple baseline a simulation scores a plan against."""

from __future__ import annotations

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.demand import DemandScenarios
from flexsupply.model.build import FirstStage
from flexsupply.model.data import model_data
from flexsupply.plan.plan import QUANTITY_TOLERANCE
from flexsupply.scenario import Scenario


def lower_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """Returns the smallest value whose cumulative weight reaches ``q`` of the total [its unit]."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    k = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-12, side="left"))
    return float(values[order][min(k, len(values) - 1)])


def newsvendor_first_stage(scenario: Scenario, demand: DemandScenarios) -> FirstStage:
    """Returns a per-style newsvendor first batch, ordered in period 1.

    Each style buys, from the supply term with the lowest cost per good unit that arrives in the
    horizon and in time for its presale orders that may not ship late, the critical-fractile quantile ``(P + g − c/γ) / (P + g − v)`` of its season demand
    (spot plus presale units, less stock on hand) over the demand scenarios; MOQs are met and a
    supplier's capacity in period 1 is shared out pro rata. No first batch when every order may
    wait for the reveal (reveal period 1).
    """
    data = model_data(scenario)
    opts, prods, sups, pre = data.options, data.products, data.suppliers, data.presale
    quantity = np.zeros((len(opts.product), data.reveal))
    selected = np.zeros(len(scenario.suppliers), dtype=bool)
    if data.reveal == 0 or not len(opts.product):
        return FirstStage(quantity, selected)
    presale_units = np.bincount(pre.product, pre.units_to_ship, len(prods.price))
    season = demand.units.sum(axis=2) + presale_units[None, :]  # (Ω, P)
    good = sups.good_share[opts.supplier]
    per_good = opts.unit_cost[:, 0] / good
    # Arrive in the horizon, and in time for presale that may not ship late.
    firm = pre.late_forbidden
    deadline = np.full(len(prods.price), data.n_periods - 1)
    np.minimum.at(deadline, pre.product[firm], pre.due[firm])
    chosen = np.full(len(prods.price), -1)
    wanted = np.zeros(len(prods.price))
    for p in range(len(prods.price)):
        mine = np.flatnonzero((opts.product == p) & (opts.lead_time <= deadline[p]))
        if not len(mine):
            continue
        o = int(mine[np.argmin(per_good[mine])])
        underage = prods.price[p] + prods.goodwill[p] - per_good[o]
        overage = per_good[o] - prods.salvage[p]
        if underage <= 0:
            continue
        ratio = underage / (underage + max(overage, 0.0))
        need = lower_quantile(season[:, p], demand.probabilities, ratio) - prods.initial_stock[p]
        chosen[p], wanted[p] = o, max(need, 0.0) / good[o]
        selected[opts.supplier[o]] = True
    for s in np.flatnonzero(selected):
        mine = np.flatnonzero((chosen >= 0) & (opts.supplier[np.maximum(chosen, 0)] == s))
        picked = chosen[mine]
        used = opts.capacity_use[picked] @ wanted[mine]
        room = sups.capacity[s, 0] - opts.setup_time[picked].sum()
        if used > room:
            wanted[mine] *= max(room, 0.0) / used
    if scenario.options.integer_orders:
        wanted = np.floor(wanted + QUANTITY_TOLERANCE)
    for product in np.flatnonzero(chosen >= 0):
        q = wanted[product]
        lot = opts.multiple[chosen[product]]
        if lot > 0:
            q = np.floor(q / lot + QUANTITY_TOLERANCE) * lot
        term = np.flatnonzero(opts.term == opts.term[chosen[product]])
        fits = [k for k in term if opts.min_quantity[k] <= q <= opts.max_quantity[k]]
        if q > QUANTITY_TOLERANCE and fits:
            quantity[fits[0], 0] = q
    return FirstStage(quantity, selected)


__all__ = ["lower_quantile", "newsvendor_first_stage"]
