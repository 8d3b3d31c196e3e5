"""Scenario + demand scenarios → one LinearProgram, with the maps back to business objects."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.demand import DemandScenarios
from flexsupply.model.cancel import CancelColumns, add_cancellations
from flexsupply.model.data import ModelData, model_data
from flexsupply.model.flows import FlowColumns, add_flows
from flexsupply.model.levers import (
    LeverColumns,
    add_levers,
    fix_lever_stage,
    lever_room,
    lever_stage,
)
from flexsupply.model.materials import (
    SHORTAGE_WEIGHT,
    MaterialColumns,
    MaterialData,
    add_materials,
    material_data,
    material_upper_bounds,
)
from flexsupply.model.orders import OrderColumns, add_orders, order_upper_bounds
from flexsupply.model.program import LinearProgram, ProgramBuilder
from flexsupply.model.recourse import RecourseColumns, add_recourse
from flexsupply.model.risk import CvarColumns, add_cvar, add_service_levels
from flexsupply.model.strengthen import MAX_WINDOW, CoverData, add_order_cover_cuts, cover_data
from flexsupply.model.symmetry import add_symmetry_rows, find_symmetry
from flexsupply.model.terms import COST_KINDS, REVENUE_KINDS, MoneyLedger
from flexsupply.model.tree import OrderStage, node_stages, order_stages
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
    recourse: RecourseColumns
    materials: MaterialData
    material_columns: MaterialColumns
    cvar: CvarColumns | None = None
    """The CVaR block when the scenario sets ``risk.cvar_weight > 0``."""
    cancellations: CancelColumns | None = None
    """Cancelled units of committed orders, when some may be cancelled (``model/cancel.py``)."""
    tree: tuple[OrderStage, ...] = ()
    """The stages whose orders tree nodes share (``model/tree.py``; empty: one reveal point)."""
    formulation: tuple[str, ...] = ()
    """What the builder did to the plain formulation, in words, for the solver log."""
    levers: LeverColumns | None = None
    """Campaigns, markdowns, clearance and repurchase when the scenario has ``levers``."""
    cover: CoverData | None = None
    """What separating the multi-order (l,S) inequalities needs (``model/strengthen.py``);
    None for an elastic program."""


ORDER_INTERCHANGEABLE = False
"""Add the rows that order interchangeable suppliers and styles (``model/symmetry.py``).
Measured off: SCIP's own symmetry handling proves identical-line lot sizing faster without them
(``benchmarks/results/symmetry.md``), so the groups are only named in the solver log."""

FIRST_STAGE_TOLERANCE = 1e-6
"""A fixed first-stage quantity below this is read as "no order" [units]."""


@dataclass(frozen=True)
class FirstStage:
    """Here-and-now decisions, taken before demand is revealed.

    Attributes:
        quantity: units of each shared order, shape ``(n_options, τ)`` (periods before the reveal
            period) [units]; an order switch is on exactly where the quantity is positive.
        selected: suppliers onboarded this season, shape ``(n_suppliers,)`` (read only for
            suppliers with an onboarding cost).
        cancelled: good units cancelled of each cancellable committed order, in the order of
            ``ModelData.cancellable`` [units]; None leaves them to the program.
    """

    quantity: FloatArray
    selected: BoolArray
    cancelled: FloatArray | None = None
    """Cancelled units of the committed orders that may be cancelled; None: left to decide."""
    levers: tuple[FloatArray, IntArray] | None = None
    """Campaigns and markdowns decided before the reveal (``model.levers.lever_stage``);
    None: left to decide."""


def first_stage_of(model: ModelMap, x: FloatArray, scenario: Scenario | None = None) -> FirstStage:
    """Returns the first-stage decisions of solution ``x`` of a program built with ``model``.

    With ``scenario`` (the one the model was built from), the campaigns and markdowns decided
    before the reveal are part of it.
    """
    shared = model.orders.order[:, : model.data.reveal, 0]
    select = model.orders.select
    cancel = model.cancellations
    levers = None
    if scenario is not None and scenario.levers is not None and model.levers is not None:
        levers = lever_stage(model.levers, scenario.levers, model.data.reveal, x)
    return FirstStage(
        quantity=x[shared] if shared.size else np.zeros(shared.shape),
        selected=np.where(select >= 0, x[np.maximum(select, 0)] > 0.5, False),
        cancelled=None if cancel is None else x[cancel.units],
        levers=levers,
    )


def _fix_first_stage(
    program: LinearProgram, model: ModelMap, first: FirstStage
) -> tuple[FloatArray, FloatArray]:
    """Returns column bounds with the first batch, selection and cancellations fixed."""
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    reveal = model.data.reveal
    quantity = first.quantity
    shared = model.orders.order[:, :reveal, 0]
    lower[shared], upper[shared] = quantity, quantity
    switch = model.orders.switch[:, :reveal, 0]
    has = switch >= 0
    on = (quantity > 0).astype(float)
    lower[switch[has]], upper[switch[has]] = on[has], on[has]
    select = model.orders.select
    chosen = select >= 0
    value = first.selected[chosen].astype(float)
    lower[select[chosen]], upper[select[chosen]] = value, value
    cancel = model.cancellations
    if cancel is not None and first.cancelled is not None:
        units = np.clip(first.cancelled, lower[cancel.units], upper[cancel.units])
        lower[cancel.units], upper[cancel.units] = units, units
        switched = cancel.switch >= 0
        on = (units[switched] > FIRST_STAGE_TOLERANCE).astype(float)
        lower[cancel.switch[switched]], upper[cancel.switch[switched]] = on, on
    return lower, upper


def objective_kinds(objective: Objective) -> tuple[dict[str, float], bool]:
    """Returns the money kinds in the objective with their signs, and whether it is maximised."""
    if objective == Objective.MIN_COST:
        # Refunds and the deposit expansion give back revenue, which min_cost leaves out.
        kinds = {kind: 1.0 for kind in COST_KINDS if kind not in ("refunds", "deposit_expansion")}
        kinds["salvage"] = -1.0
        kinds["cancellation_savings"] = -1.0
        return kinds, False
    kinds = {kind: 1.0 for kind in REVENUE_KINDS}
    kinds.update({kind: -1.0 for kind in COST_KINDS})
    return kinds, True


def build_program(
    scenario: Scenario,
    demand: DemandScenarios,
    elastic: bool = False,
    strengthen: bool = True,
    fixed_first_stage: FirstStage | None = None,
) -> tuple[LinearProgram, ModelMap]:
    """Builds the stochastic MILP of DESIGN.md §4, with its risk and service-level terms.

    With ``elastic``, firm requirements (presale due dates, forbidden lost sales, cash floor,
    warehouse) get penalised slack and the objective minimises the total shortfall, which
    explains why the firm model has no plan (risk and service targets are then left out).
    ``strengthen`` adds valid inequalities that tighten the LP relaxation
    (``model/strengthen.py``) without changing the optimum. ``fixed_first_stage`` fixes the
    shared orders and the supplier selection, leaving only the recourse to decide (how a plan
    is evaluated on other demand).

    Returns:
        ``(LinearProgram, ModelMap)``.
    """
    data = model_data(scenario)
    warehouse = scenario.warehouse.capacity
    # With an overflow store the warehouse no longer caps what buying to salvage can stock.
    hard_warehouse = warehouse if scenario.warehouse.overflow_cost is None else None
    room = lever_room(scenario, demand.units, demand.probabilities)
    # What can sell once the levers add demand: the bound of orders and of the cover cuts.
    potential = demand.units + room
    upper = order_upper_bounds(
        data, potential, hard_warehouse, scenario.product_ids, scenario.supplier_ids
    )
    if fixed_first_stage is not None:
        if fixed_first_stage.quantity.shape != (upper.shape[0], data.reveal):
            raise ValueError(
                f"fixed first stage has shape {fixed_first_stage.quantity.shape}, "
                f"expected {(upper.shape[0], data.reveal)}"
            )
        quantity = fixed_first_stage.quantity
        if scenario.options.integer_orders:
            quantity = np.round(quantity)
        quantity = np.where(quantity > FIRST_STAGE_TOLERANCE, quantity, 0.0)
        fixed_first_stage = FirstStage(
            quantity,
            fixed_first_stage.selected,
            fixed_first_stage.cancelled,
            fixed_first_stage.levers,
        )
        # A plan made for other demand may order more than this demand needs: keep it reachable.
        upper[:, : data.reveal, :] = np.maximum(
            upper[:, : data.reveal, :], fixed_first_stage.quantity[:, :, None]
        )
    kinds, maximize = objective_kinds(scenario.objective)
    builder = ProgramBuilder(maximize=maximize)
    ledger = MoneyLedger(demand.n_scenarios)
    stages = order_stages(scenario, demand, data.reveal)
    orders = add_orders(builder, ledger, data, upper, scenario.options.integer_orders, stages)
    cash = None
    if scenario.cash is not None:
        cash = (
            scenario.cash.initial,
            scenario.cash.enforce_non_negative,
            scenario.cash.sales_receipt_lag_periods,
        )
    flows = add_flows(builder, ledger, data, demand.units, orders, warehouse, cash, elastic, room)
    cancellations = None
    if data.cancellable is not None:
        cancellations = add_cancellations(
            builder, ledger, data.cancellable, flows.balance_rows, flows.cash_rows
        )
    levers = add_levers(
        builder, ledger, scenario, data, demand.units, demand.probabilities, flows, elastic, room
    )
    recourse = add_recourse(
        builder,
        ledger,
        scenario,
        data.reveal,
        flows.cash_rows,
        flows.warehouse_rows,
        demand.n_scenarios,
    )
    mats = material_data(scenario)
    material_columns = add_materials(
        builder,
        ledger,
        data,
        mats,
        material_upper_bounds(mats, data, upper),
        orders,
        flows.cash_rows,
        elastic,
    )
    cvar = None
    if not elastic:
        risk, service = scenario.risk, scenario.service
        if risk is not None and risk.cvar_weight > 0:
            cvar = add_cvar(builder, ledger, kinds, maximize, risk.cvar_weight, risk.cvar_alpha)
        if service is not None:
            add_service_levels(
                builder,
                data,
                demand.units,
                demand.probabilities,
                flows.sales,
                flows.shipments,
                service.min_fill_rate,
                service.min_presale_on_time,
            )
    formulation = [_fixed_orders_words(orders.order, upper)]
    if strengthen:
        cuts = add_order_cover_cuts(
            builder, data, potential, orders.order, orders.switch, upper, flows.inventory
        )
        formulation.append(
            f"{cuts} order-cover inequalities ((l,S) of lot sizing, windows up to {MAX_WINDOW} "
            "periods) tighten the order switches"
        )
    if strengthen and not elastic and fixed_first_stage is None:
        formulation += _interchangeable(builder, data, demand, orders, scenario)
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
        short = material_columns.short
        objective[short.ravel()] = (
            SHORTAGE_WEIGHT * np.broadcast_to(demand.probabilities, short.shape).ravel()
        )
        offset = 0.0
        maximize = False
    else:
        objective, offset = ledger.objective(program.n_columns, demand.probabilities, kinds)
        if cvar is not None:
            objective += cvar.objective(program.n_columns, demand.probabilities, maximize)
    model = ModelMap(
        data,
        demand,
        orders,
        flows,
        ledger,
        elastic,
        recourse,
        mats,
        material_columns,
        cvar,
        cancellations,
        node_stages(stages),
        tuple(formulation),
        levers,
        None
        if elastic
        else cover_data(data, potential, orders.order, orders.switch, flows.inventory),
    )
    col_lower, col_upper = program.col_lower, program.col_upper
    if fixed_first_stage is not None:
        col_lower, col_upper = _fix_first_stage(program, model, fixed_first_stage)
        stage = fixed_first_stage.levers
        if stage is not None and levers is not None and scenario.levers is not None:
            fix_lever_stage(levers, scenario.levers, stage, col_lower, col_upper)
    program = LinearProgram(
        objective=objective,
        offset=offset,
        matrix=program.matrix,
        row_lower=program.row_lower,
        row_upper=program.row_upper,
        col_lower=col_lower,
        col_upper=col_upper,
        integer=program.integer,
        maximize=maximize,
        column_blocks=program.column_blocks,
        row_blocks=program.row_blocks,
        column_style=program.column_style,
    )
    return program, model


def _fixed_orders_words(order: IntArray, upper: FloatArray) -> str:
    """Returns how many order columns the bounds fix at 0, in words."""
    columns = np.unique(order[order >= 0])
    bound = np.zeros(int(columns.max(initial=-1)) + 1)
    np.maximum.at(bound, order[order >= 0], upper[order >= 0])
    fixed = int((bound[columns] == 0).sum())
    return (
        f"{fixed} of {len(columns)} order quantities fixed at 0 with their switches (they would "
        "arrive after the horizon or below their minimum), the rest bounded by what can sell"
    )


def _interchangeable(
    builder: ProgramBuilder,
    data: ModelData,
    demand: DemandScenarios,
    orders: OrderColumns,
    scenario: Scenario,
) -> list[str]:
    """Returns the interchangeable suppliers and styles in words, for the solver log.

    With ``ORDER_INTERCHANGEABLE`` it also adds the rows that order them.
    """
    groups = find_symmetry(data, demand.units)
    if not groups.pairs:
        return []
    how = "left to the engine's own symmetry handling"
    if ORDER_INTERCHANGEABLE:
        rows = add_symmetry_rows(builder, data, groups, orders.order, orders.select)
        how = "ordered by first-batch units" if rows else "no first batch to order them by"
    words = []
    for kind, ids, found in (
        ("suppliers", scenario.supplier_ids, groups.suppliers),
        ("styles", scenario.product_ids, groups.products),
    ):
        for group in found:
            words.append(f"interchangeable {kind} {', '.join(ids[i] for i in group)}: {how}")
    return words
