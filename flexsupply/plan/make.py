"""A solver result read as a Plan: orders, stock, presale service, capacity use and KPIs."""

from __future__ import annotations

import math

import numpy as np

from flexsupply.backends.result import SolverResult
from flexsupply.model.build import ModelMap, objective_kinds
from flexsupply.model.risk import cvar, scenario_losses
from flexsupply.model.terms import COST_KINDS, REVENUE_KINDS
from flexsupply.plan.cancellations import read_cancellations
from flexsupply.plan.financing import read_financing
from flexsupply.plan.levers import read_levers
from flexsupply.plan.materials import read_materials
from flexsupply.plan.plan import QUANTITY_TOLERANCE, Kpis, Order, Plan, PresaleService
from flexsupply.plan.rules import derive_rules
from flexsupply.scenario import Scenario


def make_plan(scenario: Scenario, model: ModelMap, result: SolverResult) -> Plan:
    """Returns the Plan read from a solver result that has a solution.

    Returns:
        ``Plan`` with orders, stock, service, capacity use and KPIs.
    """
    x = result.x
    data, demand, ledger = model.data, model.demand, model.ledger
    probs = demand.probabilities
    n_scen = demand.n_scenarios

    def values(cols: np.ndarray) -> np.ndarray:
        return np.where(cols >= 0, x[np.maximum(cols, 0)], 0.0)

    inventory = np.moveaxis(values(model.flows.inventory), 2, 0)
    sales = np.moveaxis(values(model.flows.sales), 2, 0)
    backlog = np.moveaxis(values(model.flows.backlog), 2, 0)
    shipments = values(model.flows.shipments)
    money = {kind: term.per_scenario(x, n_scen) for kind, term in ledger.terms.items()}
    revenue_by_kind = {kind: float(probs @ money[kind]) for kind in REVENUE_KINDS}
    costs = {kind: float(probs @ money[kind]) for kind in COST_KINDS}
    profit: np.ndarray = np.sum([money[k] for k in REVENUE_KINDS], axis=0) - np.sum(
        [money[k] for k in COST_KINDS], axis=0
    )
    pre = data.presale
    periods = data.n_periods
    expected_shipped = (
        np.einsum("w,rtw->rt", probs, shipments) if len(pre.product) else np.zeros((0, periods))
    )
    on_time_mask = np.arange(periods)[None, :] <= pre.due[:, None]
    total_presale = float(pre.units_to_ship.sum())
    on_time_share = (
        float((expected_shipped * on_time_mask).sum() / total_presale) if total_presale > 0 else 1.0
    )
    levers = read_levers(scenario, model, x)
    # The demand campaigns, markdowns and repurchase add is demand like any other.
    units = demand.units if levers is None else demand.units + levers.added_demand
    expected_demand = float(probs @ units.sum(axis=(1, 2)))
    expected_sales = float(probs @ sales.sum(axis=(1, 2)))
    leftover = inventory[:, :, -1]
    cash = None
    if model.flows.cash.size:
        cash = values(model.flows.cash).T
    risk_cvar = None
    if scenario.risk is not None:
        kinds, maximize = objective_kinds(scenario.objective)
        losses = scenario_losses(ledger, x, kinds, maximize)
        risk_cvar = cvar(losses, probs, scenario.risk.cvar_alpha)
    kpis = Kpis(
        expected_profit=float(probs @ profit),
        revenue=sum(revenue_by_kind.values()),
        costs=costs,
        revenue_by_kind=revenue_by_kind,
        fill_rate=expected_sales / expected_demand if expected_demand > 0 else 1.0,
        presale_on_time_share=on_time_share,
        leftover_units=float(probs @ leftover.sum(axis=1)),
        leftover_value=float(probs @ (leftover @ data.products.salvage)),
        cash_low_point=None if cash is None else float(cash.min()),
        profit_by_scenario={name: float(profit[w]) for w, name in enumerate(demand.names)},
        cvar=risk_cvar,
        cvar_alpha=None if scenario.risk is None else scenario.risk.cvar_alpha,
    )
    presale = [
        PresaleService(
            product=scenario.product_ids[int(pre.product[r])],
            period=int(pre.period[r]) + 1,
            due_period=int(pre.due[r]) + 1,
            units=float(pre.units_to_ship[r]),
            shipped_by_period=[round(float(v), 6) for v in expected_shipped[r]],
            on_time_share=float(expected_shipped[r][: pre.due[r] + 1].sum() / pre.units_to_ship[r])
            if pre.units_to_ship[r] > 0
            else 1.0,
        )
        for r in range(len(pre.product))
    ]
    used, available = capacity_use(scenario, model, x, probs)
    orders = read_orders(scenario, model, x)
    reveal_period = data.reveal + 1 if data.reveal < periods else None
    materials = read_materials(scenario, model, x)
    return Plan(
        scenario_name=scenario.name,
        currency=scenario.horizon.currency,
        status=str(result.status),
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        seconds=result.seconds,
        stop=result.stop,
        backend=result.backend,
        engine=result.engine,
        method=result.method,
        kpis=kpis,
        orders=orders,
        products=scenario.product_ids,
        suppliers=scenario.supplier_ids,
        scenarios=list(demand.names),
        probabilities=[float(p) for p in probs],
        inventory=inventory,
        sales=sales,
        demand=units,
        backlog=backlog,
        presale=presale,
        capacity_used=used,
        capacity=available,
        cash=cash,
        cash_floor=0.0
        if scenario.cash is not None and scenario.cash.enforce_non_negative
        else None,
        capacity_units={s.id: s.capacity_unit for s in scenario.suppliers},
        solver_message=result.message,
        extra=dict(result.extra),
        period_length=scenario.horizon.period_length.value,
        start_date=scenario.horizon.start_date,
        reveal_period=reveal_period,
        reorder_rules=[]
        if reveal_period is None or n_scen < 2
        else derive_rules(
            orders,
            demand.units,
            scenario.product_ids,
            list(demand.names),
            list(probs),
            reveal_period,
        ),
        financing=read_financing(scenario, model, x),
        materials=None if materials is None else materials[0],
        material_orders=[] if materials is None else materials[1],
        cancellations=read_cancellations(scenario, model, x),
        levers=levers,
    )


def read_orders(scenario: Scenario, model: ModelMap, x: np.ndarray) -> list[Order]:
    """Returns the plan's orders, sorted by period, reorder future, supplier and product.

    A shared order (placed before the reveal period) appears once; a reorder once per demand
    scenario it is placed in, with its scenario-tree node when the scenarios of a node share it.
    Money in the scenario's currency, quantities in units.
    """
    opts, sups = model.data.options, model.data.suppliers
    order_cols, switch_cols = model.orders.order, model.orders.switch
    quantity = x[order_cols]
    orders: list[Order] = []
    reveal = model.data.reveal
    seen: set[int] = set()
    for o, t, w in zip(*np.nonzero(quantity > QUANTITY_TOLERANCE), strict=True):
        column = int(order_cols[o, t, w])
        if t < reveal and column in seen:
            continue
        seen.add(column)
        q = float(quantity[o, t, w])
        q = float(round(q)) if abs(q - round(q)) <= QUANTITY_TOLERANCE else round(q, 6)
        s = int(opts.supplier[o])
        switched = switch_cols[o, t, w] >= 0
        setup = float(opts.setup_cost[o]) if switched else 0.0
        goods = q * float(opts.unit_cost[o, t])
        upfront = float(sups.upfront_share[s])
        orders.append(
            Order(
                supplier=scenario.supplier_ids[s],
                product=scenario.product_ids[int(opts.product[o])],
                period=int(t) + 1,
                arrival_period=int(t + opts.lead_time[o]) + 1,
                quantity=q,
                good_units=round(q * float(sups.good_share[s]), 6),
                unit_cost=float(opts.unit_cost[o, t]),
                total_cost=round(goods + setup, 6),
                tier=int(opts.tier[o]),
                scenario=None if t < reveal else model.demand.names[int(w)],
                node=next((s.names[s.node[w]] for s in model.tree if s.start <= t < s.end), None),
                setup_cost=setup,
                upfront_payment=round(upfront * goods + setup, 6),
                balance_payment=round(goods - upfront * goods, 6),
                balance_period=int(t + opts.lead_time[o] + sups.balance_lag[s]) + 1,
                capacity_used=round(
                    q * float(opts.capacity_use[o])
                    + (float(opts.setup_time[o]) if switched else 0.0),
                    6,
                ),
            )
        )
    order_of_future = {name: w for w, name in enumerate(model.demand.names)}
    orders.sort(
        key=lambda order: (
            order.period,
            -1 if order.scenario is None else order_of_future[order.scenario],
            order.supplier,
            order.product,
        )
    )
    return orders


def capacity_use(
    scenario: Scenario, model: ModelMap, x: np.ndarray, probs: np.ndarray
) -> tuple[dict[str, list[float]], dict[str, list[float | None]]]:
    """Returns expected capacity used and capacity available per supplier and period.

    Both are in each supplier's capacity unit; available is None where capacity is unlimited.
    """
    opts, sups = model.data.options, model.data.suppliers
    order = x[model.orders.order]
    switch = np.where(model.orders.switch >= 0, x[np.maximum(model.orders.switch, 0)], 0.0)
    use = order * opts.capacity_use[:, None, None] + switch * opts.setup_time[:, None, None]
    expected = np.einsum("otw,w->ot", use, probs)
    by_supplier = np.zeros((len(scenario.suppliers), model.data.n_periods))
    np.add.at(by_supplier, opts.supplier, expected)
    used = {sid: [float(v) for v in by_supplier[s]] for s, sid in enumerate(scenario.supplier_ids)}
    available: dict[str, list[float | None]] = {
        sid: [None if math.isinf(v) else float(v) for v in sups.capacity[s]]
        for s, sid in enumerate(scenario.supplier_ids)
    }
    return used, available
