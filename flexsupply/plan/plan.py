"""The plan a solve produces: orders, stock, presale service, capacity use and KPIs."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from flexsupply.backends.result import SolverResult
from flexsupply.files import write_text_atomic
from flexsupply.model.build import ModelMap, objective_kinds
from flexsupply.model.risk import cvar, scenario_losses
from flexsupply.model.terms import COST_KINDS, REVENUE_KINDS
from flexsupply.plan.bands import cash_summary
from flexsupply.plan.orders import Order, capacity_use, read_orders
from flexsupply.plan.rules import ReorderRule, derive_rules, rules_dict
from flexsupply.plan.run import TIME_LIMIT_NOTICE, RunRecord
from flexsupply.scenario import Scenario


@dataclass(frozen=True)
class PresaleService:
    """How one presale order is served (expected over scenarios)."""

    product: str
    period: int
    due_period: int
    units: float
    """Units that must ship (converted deposits) [units]."""
    shipped_by_period: list[float]
    """Expected units shipped in each period [units]."""
    on_time_share: float
    """Expected share of the units shipped by the due period."""


@dataclass(frozen=True)
class Kpis:
    """Headline numbers of a plan, expected over demand scenarios [currency unless stated]."""

    expected_profit: float
    revenue: float
    costs: dict[str, float]
    """Cost by kind (``COST_KINDS``): purchase, setup, onboarding, holding, goodwill, backlog,
    late_shipment, refunds, return_handling, deposit_expansion (the balance discount presale
    deposits earn beyond their face value)."""
    revenue_by_kind: dict[str, float]
    fill_rate: float
    """Share of spot demand served (expected units sold / expected demand)."""
    presale_on_time_share: float
    """Share of presale units shipped by their due period (1 when there is no presale)."""
    leftover_units: float
    """Units left in stock at the end of the horizon [units]."""
    leftover_value: float
    """Their salvage value."""
    cash_low_point: float | None
    """Lowest cash balance in any period and scenario (None when cash is not modelled)."""
    profit_by_scenario: dict[str, float]
    cvar: float | None = None
    """CVaR at ``cvar_alpha`` of the loss (−profit; the cost with ``min_cost``): the expected
    loss in the worst 1 − α share of scenarios (None when the scenario sets no ``risk``)."""
    cvar_alpha: float | None = None
    """The confidence level α of ``cvar``."""


@dataclass(frozen=True)
class StochasticReport:
    """What planning for uncertainty is worth, in the objective's money [currency].

    For ``max_profit`` VSS = RP − EEV and EVPI = WS − RP; for ``min_cost`` the signs turn, so
    both are never negative. With a risk term every value is of the risk-adjusted objective.
    """

    sense: str
    """``max`` or ``min``: how the objective is optimised."""
    rp: float
    """Recourse problem: objective of the stochastic plan."""
    ev: float
    """Objective of the mean-demand plan on the mean demand itself."""
    eev: float | None
    """Expected result of the mean-demand plan: its first stage kept, recourse chosen per
    scenario (None when some scenario has no feasible recourse)."""
    vss: float | None
    """Value of the stochastic solution (None, read as unbounded, when EEV is None)."""
    ws: float
    """Wait-and-see: objective when every scenario is planned knowing its demand."""
    evpi: float
    """Expected value of perfect information."""
    rp_gap: float
    """Optimality gap of the stochastic plan; VSS and EVPI are exact only when it is 0."""
    seconds: float
    """Time spent on the extra solves [seconds]."""


@dataclass
class Plan:
    """A solved plan. ``to_dict``/``to_json`` give stable, diff-friendly output."""

    scenario_name: str
    currency: str
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    backend: str
    engine: str
    kpis: Kpis
    orders: list[Order]
    products: list[str]
    suppliers: list[str]
    scenarios: list[str]
    probabilities: list[float]
    inventory: np.ndarray
    """End-of-period stock per scenario, shape ``(Ω, n_products, T)`` [units]."""
    sales: np.ndarray
    """Spot sales per scenario, shape ``(Ω, n_products, T)`` [units]."""
    demand: np.ndarray
    """Spot demand per scenario, shape ``(Ω, n_products, T)`` [units]."""
    backlog: np.ndarray
    """Backlogged units at the end of each period, shape ``(Ω, n_products, T)`` [units]."""
    presale: list[PresaleService]
    capacity_used: dict[str, list[float]]
    """Expected capacity used per supplier and period, in the supplier's capacity unit."""
    capacity: dict[str, list[float | None]]
    """Capacity per supplier and period (None: unlimited)."""
    cash: np.ndarray | None
    """Cash at the end of each period per scenario, shape ``(Ω, T)`` [currency]."""
    cash_floor: float | None = None
    """Lowest cash balance the plan may reach (0 when the scenario forbids negative cash,
    None otherwise) [currency]."""
    capacity_units: dict[str, str] = field(default_factory=dict)
    """Each supplier's capacity unit, e.g. ``sewing minutes``."""
    reveal_period: int | None = None
    """First period of reorders (1-based); None when every order is shared."""
    reorder_rules: list[ReorderRule] = field(default_factory=list)
    """Per reordered style, its reorder as a step function of its demand before the reveal."""
    rules_profit: float | None = None
    """Expected profit when the first batch is placed and every style follows its rule,
    measured on the plan's demand futures (None: no rules, or they cannot be followed in some
    future) [currency]."""
    solver_message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    stochastic: StochasticReport | None = None
    """VSS and EVPI, when asked for (``solve(..., stochastic_report=True)``)."""
    period_length: str = "week"
    """Length of one period: ``day`` or ``week``."""
    start_date: date | None = None
    """Calendar date of the first day of period 1 (None when the scenario gives none)."""
    stop: str = "gap"
    """What ended the search: ``gap``, ``node_limit`` or ``time_limit`` (``SolverResult.stop``);
    only ``time_limit`` means another run of the same input may give another plan."""
    run: RunRecord | None = None
    """When the plan was made and how long it took (``plan/run.py``), kept apart from the plan."""

    def period_starts(self) -> list[date] | None:
        """Returns the first day of each period, or None when the scenario has no start date."""
        if self.start_date is None:
            return None
        step = timedelta(days=7 if self.period_length == "week" else 1)
        return [self.start_date + t * step for t in range(self.inventory.shape[2])]

    @property
    def expected_inventory(self) -> np.ndarray:
        """Returns expected end-of-period stock, shape ``(n_products, T)`` [units]."""
        expected: np.ndarray = np.einsum(
            "w,wpt->pt", np.asarray(self.probabilities), self.inventory
        )
        return expected

    def to_dict(self) -> dict[str, Any]:
        """Returns the plan as plain JSON-ready data with a stable key order."""
        probs = np.asarray(self.probabilities)
        data: dict[str, Any] = {
            "scenario": self.scenario_name,
            "currency": self.currency,
            "status": self.status,
            "objective": _num(self.objective),
            "bound": _num(self.bound),
            "gap": _num(self.gap),
            "solver": {
                "backend": self.backend,
                "engine": self.engine,
                "message": self.solver_message,
            },
            "stopped_by": self.stop,
            "notice": TIME_LIMIT_NOTICE if self.stop == "time_limit" else None,
            "horizon": {
                "periods": int(self.inventory.shape[2]),
                "period_length": self.period_length,
                "start_date": None if self.start_date is None else self.start_date.isoformat(),
            },
            "kpis": _clean(asdict(self.kpis)),
            "orders": [_order_dict(order) for order in self.orders],
            "demand_scenarios": [
                {"name": name, "probability": p}
                for name, p in zip(self.scenarios, self.probabilities, strict=True)
            ],
            "inventory": {
                "expected": _table(self.products, self.expected_inventory),
                "by_scenario": {
                    name: _table(self.products, self.inventory[w])
                    for w, name in enumerate(self.scenarios)
                },
            },
            "backlog_expected": _table(self.products, np.einsum("w,wpt->pt", probs, self.backlog)),
            "sales_expected": _table(self.products, np.einsum("w,wpt->pt", probs, self.sales)),
            "presale": [_clean(asdict(service)) for service in self.presale],
            "capacity": {
                supplier: {
                    "used": [round(v, 4) for v in self.capacity_used[supplier]],
                    "available": self.capacity[supplier],
                }
                for supplier in self.suppliers
            },
            "cash": None
            if self.cash is None
            else {
                name: [round(float(v), 2) for v in self.cash[w]]
                for w, name in enumerate(self.scenarios)
            },
            "cash_summary": None
            if self.cash is None
            else {
                **cash_summary(self.cash, self.probabilities),
                "floor": self.cash_floor,
            },
        }
        if self.stochastic is not None:
            data["stochastic"] = _clean(asdict(self.stochastic))
            del data["stochastic"]["seconds"]
        if self.reorder_rules:
            data["reorder_rules"] = {
                "observable": "spot demand of the style in the periods before the reveal [pcs]",
                "reveal_period": self.reveal_period,
                "expected_profit_following_rules": None
                if self.rules_profit is None
                else round(self.rules_profit, 2),
                "rules": rules_dict(self.reorder_rules),
            }
        if self.run is not None:
            data["run"] = self.run.to_dict()
            if self.stochastic is not None:
                data["run"]["stochastic_report_seconds"] = round(self.stochastic.seconds, 3)
        return data

    def to_json(self, path: str | Path | None = None) -> str:
        """Returns the plan as JSON text; with ``path``, also writes it there atomically."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_frame(self, name: str) -> Any:
        """Returns one table of the plan as a pandas DataFrame, as its CSV file holds it.

        ``name`` is one of ``flexsupply.plan.outputs.TABLE_NAMES`` (the CSV files ``solve
        --out-dir`` writes, same columns and values). Needs pandas: ``pip install
        'flexsupply[frames]'``.

        Raises:
            FlexsupplyError: pandas is missing or ``name`` is not a table of the plan.
        """
        from flexsupply.plan.tables import table_frame

        return table_frame(self, name)


def _order_dict(order: Order) -> dict[str, Any]:
    data: dict[str, Any] = _clean(asdict(order))
    if float(order.quantity).is_integer():
        data["quantity"] = int(order.quantity)
    return data


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 6)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _table(products: list[str], values: np.ndarray) -> dict[str, list[float]]:
    return {product: [round(float(v), 4) for v in values[p]] for p, product in enumerate(products)}


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
    expected_demand = float(probs @ demand.units.sum(axis=(1, 2)))
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
        kpis=kpis,
        orders=orders,
        products=scenario.product_ids,
        suppliers=scenario.supplier_ids,
        scenarios=list(demand.names),
        probabilities=[float(p) for p in probs],
        inventory=inventory,
        sales=sales,
        demand=demand.units,
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
        start_date=scenario.horizon.start_date,
    )
