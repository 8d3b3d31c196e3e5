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
from flexsupply.scenario import Scenario

QUANTITY_TOLERANCE = 1e-6
"""Order quantities below this are read as "no order" [units]."""


@dataclass(frozen=True)
class Order:
    """One purchase order: what to order from whom, when, and what it costs."""

    supplier: str
    product: str
    period: int
    """Period the order is placed (1-based)."""
    arrival_period: int
    """Period the good units arrive in stock (1-based)."""
    quantity: float
    """Units ordered [units]."""
    good_units: float
    """Units expected to pass inspection [units]."""
    unit_cost: float
    """Price per unit at the order's tier [currency/unit]."""
    total_cost: float
    """Quantity times unit cost plus setup cost [currency]."""
    tier: int
    """0 for the term's own price, i + 1 for ``discount_tiers[i]``."""
    scenario: str | None
    """None for a shared (first-stage) order; the demand scenario's name for a reorder."""


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
    solver_message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    stochastic: StochasticReport | None = None
    """VSS and EVPI, when asked for (``solve(..., stochastic_report=True)``)."""
    period_length: str = "week"
    """Length of one period: ``day`` or ``week``."""
    start_date: date | None = None
    """Calendar date of the first day of period 1 (None when the scenario gives none)."""

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
                "seconds": round(self.seconds, 3),
                "message": self.solver_message,
            },
            "horizon": {
                "periods": int(self.inventory.shape[2]),
                "period_length": self.period_length,
                "start_date": None if self.start_date is None else self.start_date.isoformat(),
            },
            "kpis": _clean(asdict(self.kpis)),
            "orders": [_clean(asdict(order)) for order in self.orders],
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
        }
        if self.stochastic is not None:
            data["stochastic"] = _clean(asdict(self.stochastic))
        return data

    def to_json(self, path: str | Path | None = None) -> str:
        """Returns the plan as JSON text; with ``path``, also writes it there atomically."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_frame(self, name: str) -> Any:
        """Returns one table of the plan as a pandas DataFrame.

        ``name`` is ``orders``, ``inventory`` (expected, one row per product and period),
        ``presale`` or ``kpis``. Needs pandas: ``pip install 'flexsupply[frames]'``.
        """
        try:
            import pandas as pd
        except ImportError:
            from flexsupply.errors import FlexsupplyError

            raise FlexsupplyError(
                "to_frame needs pandas: pip install 'flexsupply[frames]'"
            ) from None
        if name == "orders":
            return pd.DataFrame(
                [asdict(order) for order in self.orders], columns=list(Order.__dataclass_fields__)
            )
        if name == "inventory":
            expected = self.expected_inventory
            rows = [
                {"product": product, "period": t + 1, "units": float(expected[p, t])}
                for p, product in enumerate(self.products)
                for t in range(expected.shape[1])
            ]
            return pd.DataFrame(rows)
        if name == "presale":
            return pd.DataFrame([asdict(service) for service in self.presale])
        if name == "kpis":
            flat = {k: v for k, v in asdict(self.kpis).items() if not isinstance(v, dict)}
            flat.update({f"cost_{k}": v for k, v in self.kpis.costs.items()})
            return pd.DataFrame([flat])
        raise ValueError(f"unknown table {name!r}; choose orders, inventory, presale or kpis")


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
    used, available = _capacity_use(scenario, model, x, probs)
    return Plan(
        scenario_name=scenario.name,
        currency=scenario.horizon.currency,
        status=str(result.status),
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        seconds=result.seconds,
        backend=result.backend,
        engine=result.engine,
        kpis=kpis,
        orders=_orders(scenario, model, x),
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
        solver_message=result.message,
        extra=dict(result.extra),
        period_length=scenario.horizon.period_length.value,
        start_date=scenario.horizon.start_date,
    )


def _orders(scenario: Scenario, model: ModelMap, x: np.ndarray) -> list[Order]:
    opts, sups = model.data.options, model.data.suppliers
    order_cols, switch_cols = model.orders.order, model.orders.switch
    quantity = x[order_cols]
    orders: list[Order] = []
    seen: set[int] = set()
    for o, t, w in zip(*np.nonzero(quantity > QUANTITY_TOLERANCE), strict=True):
        column = int(order_cols[o, t, w])
        if column in seen:
            continue
        seen.add(column)
        shared = t < model.data.reveal
        q = float(quantity[o, t, w])
        setup = float(opts.setup_cost[o]) if switch_cols[o, t, w] >= 0 else 0.0
        orders.append(
            Order(
                supplier=scenario.supplier_ids[int(opts.supplier[o])],
                product=scenario.product_ids[int(opts.product[o])],
                period=int(t) + 1,
                arrival_period=int(t + opts.lead_time[o]) + 1,
                quantity=round(q, 6),
                good_units=round(q * float(sups.good_share[opts.supplier[o]]), 6),
                unit_cost=float(opts.unit_cost[o]),
                total_cost=round(q * float(opts.unit_cost[o]) + setup, 6),
                tier=int(opts.tier[o]),
                scenario=None if shared else model.demand.names[int(w)],
            )
        )
    orders.sort(
        key=lambda order: (order.period, order.scenario or "", order.supplier, order.product)
    )
    return orders


def _capacity_use(
    scenario: Scenario, model: ModelMap, x: np.ndarray, probs: np.ndarray
) -> tuple[dict[str, list[float]], dict[str, list[float | None]]]:
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
