"""The flexsupply model written the idiomatic PuLP way, as the yardstick for build speed.

One ``LpVariable`` per index through ``prob.add_variable``, Python loops over (product,
supplier, period, scenario) and ``pulp.lpSum`` for every constraint, read straight from the
``Scenario``. It covers every feature the benchmark seasons use (``benchmarks/season.py``):

* order quantities and on/off switches with MOQ and a big-M maximum, setup cost and time;
* supplier capacity per period (sewing minutes), orders charged when placed;
* stock balance with lead times, defects (good share) and returns (rate, lag, resellable share);
* spot sales up to demand (lost sales cost goodwill);
* presale shipments within their window (late units priced), every converted unit shipped;
* the expected-profit objective: sales, presale balance and deposits, salvage (end stock and
  returns arriving after the horizon) less purchase, setup, holding, goodwill, lateness,
  refunds and return handling;
* non-anticipativity: orders before the reveal period are one variable shared by all scenarios.

It refuses what it leaves out (discount tiers, onboarding, cash, warehouse, backlog, forbidden
lost sales, integer orders, ``min_cost``, demand from signals and their channel return rates,
presale ``deposit_expansion`` and ``balance_period``), so it never silently solves a different
model.

It differs from flexsupply's matrix only where an idiomatic modeller would: orders that would
arrive after the horizon get no variable (flexsupply keeps them with an upper bound of 0), and
the big-M is the capacity (or the season's demand) rather than flexsupply's tighter bound.
"""

from __future__ import annotations

from typing import Any

import pulp

from flexsupply.scenario import Channels, LatenessRule, Objective, Scenario, UnmetDemand


def build_idiomatic(scenario: Scenario) -> pulp.LpProblem:
    """Returns the scenario's model as a ``pulp.LpProblem`` (maximise expected profit)."""
    _refuse_unsupported(scenario)
    periods = range(scenario.horizon.periods)
    last = scenario.horizon.periods - 1
    futures = scenario.demand.as_scenarios()
    scenarios = range(len(futures))
    weight = [future.probability for future in futures]
    reveal = last + 1 if scenario.reveal_period is None else scenario.reveal_period - 1
    products = {product.id: product for product in scenario.products}
    demand = {
        (p, w): futures[w].units.get(p, [0.0] * len(periods)) for p in products for w in scenarios
    }
    presales = list(enumerate(scenario.presale))

    prob = pulp.LpProblem("idiomatic", pulp.LpMaximize)
    profit: list[Any] = []

    # Order options: one per (product, supplier) term.
    options = []
    for supplier in scenario.suppliers:
        capacity = supplier.capacity
        for terms in supplier.terms:
            for p in terms.product_ids:
                product = products[p]
                if terms.unit_cost is not None:
                    cost = terms.unit_cost
                else:
                    cost = (terms.cost_factor or 0.0) * (product.base_cost or 0.0)
                use = terms.capacity_per_unit
                if use is None:
                    use = product.standard_minutes if product.standard_minutes is not None else 1.0
                options.append(
                    {
                        "p": p,
                        "s": supplier.id,
                        "cost": cost,
                        "use": use,
                        "setup_time": terms.setup_time,
                        "setup_cost": terms.setup_cost,
                        "moq": terms.moq,
                        "max": terms.max_per_order,
                        "lead": terms.lead_time_periods,
                        "good": 1.0 - supplier.defect_rate,
                        "capacity": capacity,
                        "switch": terms.setup_time > 0 or terms.setup_cost > 0 or terms.moq > 0,
                    }
                )

    presale_units = {p: 0.0 for p in products}
    for _, order in presales:
        presale_units[order.product] += order.quantity * order.conversion_rate

    x: dict[tuple[str, str, int, int], Any] = {}
    y: dict[tuple[str, str, int, int], Any] = {}
    for o in options:
        p, s = o["p"], o["s"]
        season_need = max(sum(demand[p, w]) for w in scenarios) + presale_units[p]
        for t in periods:
            if t + o["lead"] > last:
                continue
            # Buying beyond the season's need only salvages at a loss, but an MOQ may exceed it.
            big_m = max(season_need / o["good"], o["moq"])
            if o["capacity"] is not None:
                cap_t = o["capacity"][t] if isinstance(o["capacity"], list) else o["capacity"]
                big_m = min(big_m, (cap_t - o["setup_time"]) / o["use"] if o["use"] > 0 else big_m)
            if o["max"] is not None:
                big_m = min(big_m, o["max"])
            if big_m < o["moq"] or big_m <= 0:
                continue
            for w in scenarios:
                if t < reveal and w > 0:
                    x[p, s, t, w] = x[p, s, t, 0]
                    if o["switch"]:
                        y[p, s, t, w] = y[p, s, t, 0]
                    continue
                x[p, s, t, w] = prob.add_variable(f"x_{p}_{s}_{t}_{w}", 0, big_m)
                profit.append(-weight_of(weight, t, reveal, w) * o["cost"] * x[p, s, t, w])
                if not o["switch"]:
                    continue
                y[p, s, t, w] = prob.add_variable(f"y_{p}_{s}_{t}_{w}", 0, 1, pulp.LpBinary)
                profit.append(-weight_of(weight, t, reveal, w) * o["setup_cost"] * y[p, s, t, w])
                prob += x[p, s, t, w] <= big_m * y[p, s, t, w], f"order_max_{p}_{s}_{t}_{w}"
                if o["moq"] > 0:
                    prob += x[p, s, t, w] >= o["moq"] * y[p, s, t, w], f"order_min_{p}_{s}_{t}_{w}"

    for supplier in scenario.suppliers:
        if supplier.capacity is None:
            continue
        mine = [o for o in options if o["s"] == supplier.id]
        for t in periods:
            cap_t = (
                supplier.capacity[t] if isinstance(supplier.capacity, list) else supplier.capacity
            )
            for w in scenarios if t >= reveal else [0]:
                used = capacity_used(mine, x, y, t, w)
                if used is not None:
                    prob += used <= cap_t, f"capacity_{supplier.id}_{t}_{w}"

    # Flows per (product, period, scenario).
    inventory: dict[tuple[str, int, int], Any] = {}
    sales: dict[tuple[str, int, int], Any] = {}
    ship: dict[tuple[int, int, int], Any] = {}
    for p in products:
        for w in scenarios:
            for t in periods:
                inventory[p, t, w] = prob.add_variable(f"inv_{p}_{t}_{w}", 0)
                sales[p, t, w] = prob.add_variable(f"sales_{p}_{t}_{w}", 0, demand[p, w][t])
    for r, order in presales:
        due = order.period - 1 + order.promise_periods
        for w in scenarios:
            for t in periods:
                late_ok = order.lateness == LatenessRule.PRICED
                if t >= order.period - 1 and (t <= due or late_ok):
                    units = order.quantity * order.conversion_rate
                    ship[r, t, w] = prob.add_variable(f"ship_{r}_{t}_{w}", 0, units)
            prob += (
                pulp.lpSum(ship[r, t, w] for t in periods if (r, t, w) in ship)
                == order.quantity * order.conversion_rate,
                f"presale_due_{r}_{w}",
            )

    arrivals: dict[str, list[dict[str, Any]]] = {p: [] for p in products}
    for o in options:
        arrivals[o["p"]].append(o)
    presales_of: dict[str, list[int]] = {p: [] for p in products}
    for r, order in presales:
        presales_of[order.product].append(r)

    for p, product in products.items():
        back = product.return_rate * product.resellable_share
        lag = product.return_lag_periods
        for w in scenarios:
            for t in periods:
                came_in = pulp.lpSum(
                    o["good"] * x[p, o["s"], t - o["lead"], w]
                    for o in arrivals[p]
                    if (p, o["s"], t - o["lead"], w) in x
                )
                out = sales[p, t, w] + pulp.lpSum(
                    ship[r, t, w] for r in presales_of[p] if (r, t, w) in ship
                )
                returned = 0
                if t - lag >= 0:
                    returned = back * (
                        sales[p, t - lag, w]
                        + pulp.lpSum(
                            ship[r, t - lag, w] for r in presales_of[p] if (r, t - lag, w) in ship
                        )
                    )
                before = inventory[p, t - 1, w] if t > 0 else product.initial_stock
                prob += (
                    inventory[p, t, w] == before + came_in + returned - out,
                    f"stock_balance_{p}_{t}_{w}",
                )

    for p, product in products.items():
        rate = product.return_rate
        lag = product.return_lag_periods
        for w in scenarios:
            for t in periods:
                returns_after_horizon = t + lag > last
                per_unit = product.price * (1 - rate) - rate * product.return_handling_cost
                per_unit += product.goodwill_cost  # each sale is one lost sale fewer
                if returns_after_horizon:
                    per_unit += product.salvage_value * rate * product.resellable_share
                profit.append(weight[w] * per_unit * sales[p, t, w])
                profit.append(-weight[w] * product.goodwill_cost * demand[p, w][t])
                profit.append(-weight[w] * product.holding_cost * inventory[p, t, w])
            profit.append(weight[w] * product.salvage_value * inventory[p, last, w])

    for r, order in presales:
        product = products[order.product]
        rate = product.return_rate
        price = order.price if order.price is not None else product.price
        due = order.period - 1 + order.promise_periods
        profit.append(order.quantity * order.deposit)
        for w in scenarios:
            for t in periods:
                if (r, t, w) not in ship:
                    continue
                per_unit = price - order.deposit - rate * (price + product.return_handling_cost)
                per_unit -= max(t - due, 0) * order.late_cost
                if t + product.return_lag_periods > last:
                    per_unit += product.salvage_value * rate * product.resellable_share
                profit.append(weight[w] * per_unit * ship[r, t, w])

    prob += pulp.lpSum(profit)
    return prob


def weight_of(weight: list[float], t: int, reveal: int, w: int) -> float:
    """Returns the objective weight of an order: 1 when shared by every scenario, else π[ω]."""
    return 1.0 if t < reveal else weight[w]


def capacity_used(
    options: list[dict[str, Any]], x: dict[Any, Any], y: dict[Any, Any], t: int, w: int
) -> Any:
    """Returns the capacity a supplier's orders of period ``t`` use, or None if it has none."""
    terms = []
    for o in options:
        key = (o["p"], o["s"], t, w)
        if key in x:
            terms.append(o["use"] * x[key])
            if key in y:
                terms.append(o["setup_time"] * y[key])
    return pulp.lpSum(terms) if terms else None


def _refuse_unsupported(scenario: Scenario) -> None:
    unsupported = []
    if scenario.objective != Objective.MAX_PROFIT:
        unsupported.append("objective min_cost")
    if scenario.options.integer_orders:
        unsupported.append("integer orders")
    if scenario.cash is not None:
        unsupported.append("cash")
    if scenario.warehouse.capacity is not None:
        unsupported.append("warehouse capacity")
    if any(p.unmet_demand != UnmetDemand.LOST for p in scenario.products):
        unsupported.append("backlog or forbidden lost sales")
    if any(s.onboarding_cost > 0 for s in scenario.suppliers):
        unsupported.append("supplier onboarding")
    if any(t.discount_tiers for s in scenario.suppliers for t in s.terms):
        unsupported.append("discount tiers")
    signals = scenario.demand.signals
    if signals is not None:
        unsupported.append("demand from signals (give demand as units or scenarios)")
        if any(rate is not None for p in signals.products.values() for rate in _rates(p.channels)):
            unsupported.append("channel return rates (spot sales return at the product's rate)")
    if any(order.deposit_expansion is not None for order in scenario.presale):
        unsupported.append("presale deposit_expansion")
    if any(order.balance_period is not None for order in scenario.presale):
        unsupported.append("presale balance_period")
    if unsupported:
        raise NotImplementedError(f"the idiomatic PuLP model leaves out: {', '.join(unsupported)}")


def _rates(channels: Channels) -> list[float | None]:
    """Returns the return rate each channel entry states (None where it states none)."""
    rates = [item.return_rate for item in (*channels.livestreams, *channels.posts)]
    for single in (channels.search, channels.private_domain):
        if single is not None:
            rates.append(single.return_rate)
    return rates
