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
from flexsupply.plan.files import PLAN_FILE, parse_plan, read_plan_data

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
    ws_bound: float | None = None
    """The engines' bound on WS, which bounds the stochastic plan's objective too (None when
    unknown) [currency]."""


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

    def to_dict(self, run: bool = True) -> dict[str, Any]:
        """Returns the plan as plain JSON-ready data with a stable key order.

        Facts of the run that differ from one run to the next (the seconds the solve and the
        stochastic report took) are in the last record, ``run``; ``run=False`` leaves it out, so
        the same scenario and settings give the same data (``plan.json`` is written so).
        """
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
            del data["stochastic"]["seconds"]
        if run:
            data["run"] = self.run_record()
        return data

    def run_record(self) -> dict[str, float | None]:
        """Returns the facts of the run that made the plan, which differ from run to run.

        Returns:
            ``seconds``: wall-clock time of the solve; ``stochastic_seconds``: of the stochastic
            report's solves, when there is one [seconds]; None when unknown (a plan read from a
            file without its run record).
        """
        record = {"seconds": _num(round(self.seconds, 3))}
        if self.stochastic is not None:
            record["stochastic_seconds"] = _num(round(self.stochastic.seconds, 3))
        return record

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
            rows = [[[_nan(v) for v in table[w][p]] for p in products] for w in names]
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
        cash = checked.cash
        return cls(
            scenario_name=checked.scenario,
            currency=checked.currency,
            status=checked.status,
            objective=_nan(checked.objective),
            bound=_nan(checked.bound),
            gap=_nan(checked.gap),
            seconds=_nan(checked.solver.seconds),
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
                    **_known(PresaleService, {**item, "on_time_share": _nan(item["on_time_share"])})
                )
                for item in data["presale"]
            ],
            capacity_used={name: list(c.used) for name, c in checked.capacity.items()},
            capacity={name: list(c.available) for name, c in checked.capacity.items()},
            cash=None if cash is None else np.array([cash[w] for w in names], dtype=float),
            solver_message=checked.solver.message,
            stochastic=None if stochastic is None else _stochastic(stochastic, data.get("run")),
            period_length=checked.horizon.period_length if checked.horizon else "week",
            start_date=checked.horizon.start_date if checked.horizon else None,
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

    def to_json(self, path: str | Path | None = None, run: bool = True) -> str:
        """Returns the plan as JSON text; with ``path``, also writes it there atomically.

        ``run=False`` leaves out the ``run`` record (see ``to_dict``).
        """
        text = json.dumps(self.to_dict(run), indent=2, ensure_ascii=False) + "\n"
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


def _restored(value: Any) -> Any:
    """Returns a number ``to_dict`` wrote with None read back as nan, in dicts too."""
    if isinstance(value, dict):
        return {key: _restored(item) for key, item in value.items()}
    return _nan(value)


def _known(cls: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """Returns the entries of ``data`` that are fields of dataclass ``cls``."""
    return {key: value for key, value in data.items() if key in cls.__dataclass_fields__}


def _nan(value: float | None) -> float:
    """Returns ``value``, or nan for None (how ``to_dict`` writes nan)."""
    return math.nan if value is None else float(value)


def _stochastic(data: Mapping[str, Any], run: Any) -> StochasticReport:
    """Returns the stochastic report ``to_dict`` wrote (None read back as nan where a number is due).

    Its seconds are in the ``run`` record (in the report itself in plans of older versions).
    """
    optional = {"eev", "vss", "ws_bound"}
    fields = StochasticReport.__dataclass_fields__
    seconds = run.get("stochastic_seconds") if isinstance(run, Mapping) else None
    values: dict[str, Any] = {
        key: value if key in optional or isinstance(value, str) else _nan(value)
        for key, value in {"seconds": seconds, **data}.items()
        if key in fields
    }
    return StochasticReport(**values)


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


def _table(products: list[str], values: np.ndarray) -> dict[str, list[float | None]]:
    """Returns one row per product, rounded; nan (a table an older plan file lacks) as None."""
    return {
        product: [None if math.isnan(v) else round(float(v), 4) for v in values[p]]
        for p, product in enumerate(products)
    }
