"""The plan a solve produces: orders, stock, presale service, capacity use and KPIs."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from flexsupply.files import write_text_atomic
from flexsupply.plan.bands import cash_summary
from flexsupply.plan.cancellations import Cancellation, cancellations_dict, cancellations_from_dict
from flexsupply.plan.files import PLAN_FILE, parse_plan, read_plan_data
from flexsupply.plan.financing import Financing
from flexsupply.plan.levers import LeverReport
from flexsupply.plan.materials import (
    MaterialOrder,
    MaterialUse,
    materials_dict,
    materials_from_dict,
)
from flexsupply.plan.orders import QUANTITY_TOLERANCE, Order, order_dict
from flexsupply.plan.rules import ReorderRule, rules_from_dict, rules_section
from flexsupply.plan.run import TIME_LIMIT_NOTICE, RunRecord
from flexsupply.plan.stochastic_report import StochasticReport, nan_or, stochastic_from_dict
from flexsupply.plan.values import clean as _clean
from flexsupply.plan.values import num as _num
from flexsupply.plan.values import table as _table

__all__ = ["QUANTITY_TOLERANCE", "Kpis", "Order", "Plan", "PresaleService", "StochasticReport"]


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
    """Cost by kind (``COST_KINDS``): purchase, material_purchase, setup, onboarding, holding, goodwill, backlog,
    late_shipment, refunds, return_handling, deposit_expansion (the balance discount presale
    deposits earn beyond their face value), interest, credit_fee, overflow_storage,
    cancellation (charged for cancelled committed orders), marketing (campaign fees,
    posts, clicks), commission (on campaign sales), markdown (discounts given)."""
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
    """Lowest cash the plan may reach: 0 when cash must stay non-negative, else None [currency]."""
    capacity_units: dict[str, str] = field(default_factory=dict)
    """Each supplier's capacity unit, e.g. ``sewing minutes``."""
    reveal_period: int | None = None
    """First period of reorders (1-based); None when every order is shared."""
    reorder_rules: list[ReorderRule] = field(default_factory=list)
    """Per reordered style, its reorder as a step function of its demand before the reveal."""
    rules_profit: float | None = None
    """Expected profit of the first batch plus every style following its rule, on the plan's
    futures (None: no rules, or not feasible in some future) [currency]."""
    solver_message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    stochastic: StochasticReport | None = None
    """VSS and EVPI, when asked for (``solve(..., stochastic_report=True)``)."""
    period_length: str = "week"
    """Length of one period: ``day`` or ``week``."""
    start_date: date | None = None
    """Calendar date of the first day of period 1 (None when the scenario gives none)."""
    stop: str = "gap"
    """What ended the search (``plan/run.py``, ``STOP_WORDS``); ``time_limit``: runs may differ."""
    run: RunRecord | None = None
    """When the plan was made and how long it took (``plan/run.py``), kept apart from the plan."""
    method: str = "monolithic"
    """How it was solved: ``monolithic`` (one engine call) or ``decompose`` (by style)."""
    financing: Financing | None = None
    """Credit, loans and overflow storage per period (None when the scenario offers none)."""
    materials: list[MaterialUse] | None = None
    """Material ordered, in stock and used per style (None when materials are not modelled)."""
    material_orders: list[MaterialOrder] = field(default_factory=list)
    """Material orders by period."""
    as_of_period: int = 0
    """For a replan (``flexsupply replan``): the last season period its actuals cover; period t
    of this plan is season period t + as_of_period (0: a plan of the whole season)."""
    cancellations: list[Cancellation] = field(default_factory=list)
    """Committed orders the plan may cancel, with what it cancels (empty: none may be)."""
    levers: LeverReport | None = None
    """Campaigns bought, markdown calendar and clearance (scenarios with ``levers``)."""

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
                "method": self.method,
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
            "orders": [order_dict(order) for order in self.orders],
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
            "by_scenario": {
                kind: {
                    name: _table(self.products, values[w]) for w, name in enumerate(self.scenarios)
                }
                for kind, values in (
                    ("demand", self.demand),
                    ("sales", self.sales),
                    ("backlog", self.backlog),
                )
            },
            "presale": [_clean(asdict(service)) for service in self.presale],
            "capacity": {
                supplier: {
                    "used": [round(v, 4) for v in self.capacity_used[supplier]],
                    "available": self.capacity[supplier],
                    "unit": self.capacity_units.get(supplier, "units"),
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
            else {**cash_summary(self.cash, self.probabilities), "floor": self.cash_floor},
        }
        if self.financing is not None:
            data["financing"] = self.financing.to_dict(probs, self.scenarios)
        if self.materials is not None:
            data["materials"] = materials_dict(
                self.materials, self.material_orders, probs, self.scenarios
            )
        if self.levers is not None:
            data["levers"] = self.levers.to_dict(self.probabilities, self.scenarios, self.products)
        if self.stochastic is not None:
            data["stochastic"] = _clean(asdict(self.stochastic))
            del data["stochastic"]["seconds"]
        if self.as_of_period:
            data["as_of_period"] = self.as_of_period
        if self.cancellations:
            data["cancellations"] = cancellations_dict(self.cancellations)
        if self.reorder_rules:
            data["reorder_rules"] = rules_section(
                self.reveal_period, self.reorder_rules, self.rules_profit
            )
        if self.run is not None:
            data["run"] = self.run.to_dict()
            if self.stochastic is not None:
                data["run"]["stochastic_report_seconds"] = round(self.stochastic.seconds, 3)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> Plan:
        """Returns the plan ``to_dict`` wrote; the one reader of plan data.

        ``source`` names the data in problems (a file name). Tables a plan written by an older
        flexsupply lacks (demand, sales and backlog per scenario) are nan.

        Raises:
            PlanFileError: the data is not a flexsupply plan; every problem with its field path.
        """
        checked = parse_plan(data, source)
        names, products = checked.scenario_names, checked.products
        periods = checked.n_periods

        def cube(table: Mapping[str, Mapping[str, Sequence[float | None]]] | None) -> np.ndarray:
            if table is None:
                return np.full((len(names), len(products), periods), math.nan)
            rows = [[[nan_or(v) for v in table[w][p]] for p in products] for w in names]
            return np.array(rows, dtype=float)

        by_scenario = data.get("by_scenario") or {}
        kpis = dict(data["kpis"])
        kpis.setdefault("revenue_by_kind", {})
        optional = {"cash_low_point", "cvar", "cvar_alpha"}
        kpi_fields: dict[str, Any] = {
            key: value if key in optional else _restored(value)
            for key, value in _known(Kpis, kpis).items()
        }
        stochastic = data.get("stochastic")
        if stochastic is not None:
            stochastic = {
                "seconds": (data.get("run") or {}).get("stochastic_report_seconds", 0.0),
                **stochastic,
            }
        cash = checked.cash
        rules = data.get("reorder_rules") or {}
        financing, materials = data.get("financing"), data.get("materials")
        uses, material_orders = (
            (None, []) if materials is None else materials_from_dict(materials, names)
        )
        return cls(
            scenario_name=checked.scenario,
            currency=checked.currency,
            status=checked.status,
            objective=nan_or(checked.objective),
            bound=nan_or(checked.bound),
            gap=nan_or(checked.gap),
            seconds=checked.seconds or 0.0,
            stop=checked.stopped_by,
            run=None if data.get("run") is None else RunRecord.from_dict(data["run"]),
            backend=checked.solver.backend,
            engine=checked.solver.engine,
            kpis=Kpis(**kpi_fields),
            orders=[Order(**_known(Order, {"tier": 0, **order})) for order in data["orders"]],
            products=products,
            suppliers=list(checked.capacity),
            scenarios=names,
            probabilities=checked.probabilities,
            inventory=cube(checked.inventory.by_scenario),
            sales=cube(by_scenario.get("sales")),
            demand=cube(by_scenario.get("demand")),
            backlog=cube(by_scenario.get("backlog")),
            presale=[
                PresaleService(
                    **_known(
                        PresaleService, {**item, "on_time_share": nan_or(item["on_time_share"])}
                    )
                )
                for item in data["presale"]
            ],
            capacity_used={name: list(c.used) for name, c in checked.capacity.items()},
            capacity={name: list(c.available) for name, c in checked.capacity.items()},
            cash=None if cash is None else np.array([cash[w] for w in names], dtype=float),
            cash_floor=None if checked.cash_summary is None else checked.cash_summary.floor,
            capacity_units={name: c.unit for name, c in checked.capacity.items()},
            reveal_period=rules.get("reveal_period"),
            reorder_rules=rules_from_dict(rules.get("rules") or []),
            rules_profit=rules.get("expected_profit_following_rules"),
            solver_message=checked.solver.message,
            method=checked.solver.method,
            stochastic=None if stochastic is None else stochastic_from_dict(stochastic),
            period_length=checked.horizon.period_length if checked.horizon else "week",
            start_date=checked.horizon.start_date if checked.horizon else None,
            financing=None if financing is None else Financing.from_dict(financing, names),
            materials=uses,
            material_orders=material_orders,
            as_of_period=int(data.get("as_of_period") or 0),
            cancellations=cancellations_from_dict(data.get("cancellations") or []),
            levers=None
            if data.get("levers") is None
            else LeverReport.from_dict(data["levers"], names, products),
        )

    @classmethod
    def from_json(cls, path: str | Path) -> Plan:
        """Returns the plan in a ``plan.json`` (or the folder holding one) ``to_json`` wrote.

        Raises:
            PlanFileError: the file is missing, not JSON or not a flexsupply plan; the message
                names the file (and the line of a JSON syntax error).
        """
        source = Path(path)
        if source.is_dir():
            source = source / PLAN_FILE
        return cls.from_dict(read_plan_data(source), str(source))

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
        from flexsupply.plan.outputs import table_frame

        return table_frame(self, name)


def _restored(value: Any) -> Any:
    """Returns a number ``to_dict`` wrote with None read back as nan, in dicts too."""
    if isinstance(value, dict):
        return {key: _restored(item) for key, item in value.items()}
    return nan_or(value)


def _known(cls: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """Returns the entries of ``data`` that are fields of dataclass ``cls``."""
    return {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
