"""Scenario + demand scenarios → one LinearProgram, with the maps back to business objects."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.demand import DemandScenarios
from flexsupply.model.data import ModelData, model_data
from flexsupply.model.flows import FlowColumns, add_flows
from flexsupply.model.orders import OrderColumns, add_orders, order_upper_bounds
from flexsupply.model.program import LinearProgram, ProgramBuilder
from flexsupply.model.strengthen import add_order_cover_cuts
from flexsupply.model.terms import COST_KINDS, REVENUE_KINDS, MoneyLedger
from flexsupply.scenario import Objective, Scenario


@dataclass(frozen=True)
class ModelMap:
    """How the columns of a LinearProgram map back to orders, stock, sales and money."""

    data: ModelData
    demand: DemandScenarios
    orders: OrderColumns
    flows: FlowColumns
    ledger: MoneyLedger
    elastic: bool


def objective_kinds(objective: Objective) -> tuple[dict[str, float], bool]:
    """Returns the money kinds in the objective with their signs, and whether it is maximised."""
    if objective == Objective.MIN_COST:
        kinds = {kind: 1.0 for kind in COST_KINDS if kind != "refunds"}
        kinds["salvage"] = -1.0
        return kinds, False
    kinds = {kind: 1.0 for kind in REVENUE_KINDS}
    kinds.update({kind: -1.0 for kind in COST_KINDS})
    return kinds, True


def build_program(
    scenario: Scenario, demand: DemandScenarios, elastic: bool = False, strengthen: bool = True
) -> tuple[LinearProgram, ModelMap]:
    """Builds the stochastic MILP of DESIGN.md §4 (without risk and service-level terms).

    With ``elastic``, firm requirements (presale due dates, forbidden lost sales, cash floor,
    warehouse) get penalised slack and the objective minimises the total shortfall, which
    explains why the firm model has no plan. ``strengthen`` adds valid inequalities that tighten
    the LP relaxation (``model/strengthen.py``) without changing the optimum.

    Returns:
        ``(LinearProgram, ModelMap)``.
    """
    data = model_data(scenario)
    warehouse = scenario.warehouse.capacity
    upper = order_upper_bounds(
        data, demand.units, warehouse, scenario.product_ids, scenario.supplier_ids
    )
    kinds, maximize = objective_kinds(scenario.objective)
    builder = ProgramBuilder(maximize=maximize)
    ledger = MoneyLedger(demand.n_scenarios)
    orders = add_orders(builder, ledger, data, upper, scenario.options.integer_orders)
    cash = None
    if scenario.cash is not None:
        cash = (
            scenario.cash.initial,
            scenario.cash.enforce_non_negative,
            scenario.cash.sales_receipt_lag_periods,
        )
    flows = add_flows(builder, ledger, data, demand.units, orders, warehouse, cash, elastic)
    if strengthen:
        add_order_cover_cuts(
            builder, data, demand.units, orders.order, orders.switch, upper, flows.inventory
        )
    program = builder.build()
    if elastic:
        objective = np.zeros(program.n_columns)
        forbidden = flows.sales[data.products.forbidden]
        objective[forbidden.ravel()] = -np.repeat(
            demand.probabilities[None, :], forbidden.size // max(demand.n_scenarios, 1), axis=0
        ).ravel()
        objective[flows.presale_short.ravel()] = np.broadcast_to(
            demand.probabilities, flows.presale_short.shape
        ).ravel()
        objective[flows.warehouse_short.ravel()] = np.broadcast_to(
            demand.probabilities, flows.warehouse_short.shape
        ).ravel()
        money_scale = max(float(np.mean(data.products.price)), 1.0)
        objective[flows.cash_short.ravel()] = (
            np.broadcast_to(demand.probabilities, flows.cash_short.shape).ravel() / money_scale
        )
        offset = 0.0
        maximize = False
    else:
        objective, offset = ledger.objective(program.n_columns, demand.probabilities, kinds)
    program = LinearProgram(
        objective=objective,
        offset=offset,
        matrix=program.matrix,
        row_lower=program.row_lower,
        row_upper=program.row_upper,
        col_lower=program.col_lower,
        col_upper=program.col_upper,
        integer=program.integer,
        maximize=maximize,
        column_blocks=program.column_blocks,
        row_blocks=program.row_blocks,
    )
    return program, ModelMap(data, demand, orders, flows, ledger, elastic)
