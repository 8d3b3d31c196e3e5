"""Plan files: ``plan.json`` (``Plan.to_dict``) read and checked, with one ``PlanFileError``.

``read_plan_data`` reads the JSON, ``parse_plan`` checks it against ``PlanData`` (every problem
with its field path); ``Plan.from_dict``/``Plan.from_json`` build on them, and compare, report,
simulate and batch read plans only through those.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from flexsupply.errors import FlexsupplyError, Problem

PLAN_FILE = "plan.json"
"""The plan's file name in an output folder (``flexsupply solve --out-dir``)."""

WRITE_ONE = "write one with `flexsupply solve SCENARIO.yaml --out-dir DIR`"


class PlanFileError(FlexsupplyError):
    """Data that is not a readable flexsupply plan; carries every problem with its field path.

    One problem reads as one line (``plan.json:1:10  not valid JSON: ...``); several are listed
    under a line naming the file.
    """

    exit_code = 1

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        count = len(problems)
        if count == 1:
            super().__init__(str(problems[0]))
            return
        head = f"{count} problems in plan {source}" if source else f"{count} problems in the plan"
        super().__init__("\n".join([head, *(f"  {problem}" for problem in problems)]))


class _Data(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SolverData(_Data):
    """Which solver made the plan."""

    backend: str
    engine: str
    seconds: float | None = None
    """Wall-clock solve time [seconds] in plans written before the run record took it."""
    message: str = ""
    method: str = "monolithic"
    """How it was solved: ``monolithic`` or ``decompose`` (plans written before it lack this)."""


class RunData(_Data):
    """The run record: when the plan was made and how long it took (differs between runs)."""

    started_at: str | None = None
    seconds: float | None = None
    """Wall-clock time of the whole solve [seconds]."""


class CashSummaryData(_Data):
    """The cash band as plan.json writes it; the report reads only the floor from it."""

    floor: float | None = None
    """Lowest cash the plan may reach (None: no floor) [currency]."""


class HorizonData(_Data):
    """Length of a period and the date period 1 starts (plans written before it lack this)."""

    period_length: str = "week"
    """``day`` or ``week``."""
    start_date: date | None = None


class KpiData(_Data):
    """Headline numbers, expected over demand scenarios [currency unless stated]."""

    expected_profit: float | None
    revenue: float | None
    costs: dict[str, float | None]
    fill_rate: float | None
    """Share of spot demand served [0-1]."""
    presale_on_time_share: float | None
    """Share of presale units shipped by their due period [0-1]."""
    leftover_units: float | None
    """[units]"""
    leftover_value: float | None
    cash_low_point: float | None
    profit_by_scenario: dict[str, float | None]
    cvar: float | None = None
    cvar_alpha: float | None = None


class OrderData(_Data):
    """One purchase order; ``scenario`` is None for an order shared by every scenario."""

    supplier: str
    product: str
    period: int
    """Period the order is placed (1-based)."""
    arrival_period: int
    """Period the good units arrive (1-based)."""
    quantity: float
    """[units]"""
    good_units: float
    """[units]"""
    unit_cost: float
    """[currency/unit]"""
    total_cost: float
    """[currency]"""
    scenario: str | None
    setup_cost: float = 0.0
    """[currency], included in ``total_cost``"""
    upfront_payment: float | None = None
    """Paid when the order is placed [currency] (None in older plan files)."""
    balance_payment: float | None = None
    """Paid in ``balance_period`` [currency]."""
    balance_period: int | None = None
    capacity_used: float | None = None
    """In the supplier's capacity unit."""
    node: str | None = None
    """Scenario-tree node sharing the reorder (None: first batch or one scenario's reorder)."""


class CancellationData(_Data):
    """One committed order the plan may cancel (``plan.cancellations.Cancellation``)."""

    supplier: str
    product: str
    arrival_period: int
    units: float
    """Good units committed [units]."""
    cancelled: float
    """Good units cancelled [units]."""
    charge: float
    """[currency]"""
    saved: float
    """Value of the cancelled units, not paid [currency]."""
    placed_period: int | None = None


class RuleLineData(_Data):
    """One reorder line of a rule step."""

    supplier: str
    period: int
    quantity: float
    """[pcs]"""


class RuleStepData(_Data):
    """A rule step: demand in ``(above, up_to]`` [pcs] → reorder ``quantity`` [pcs]."""

    above: float | None
    up_to: float | None
    quantity: float
    lines: list[RuleLineData]
    futures: list[str]
    probability: float


class RuleData(_Data):
    """One style's reorder rule."""

    product: str
    observed_through: int
    steps: list[RuleStepData]


class RulesData(_Data):
    """The reorder rules and what following them gives [currency]."""

    expected_profit_following_rules: float | None = None
    rules: list[RuleData]


class ScenarioWeight(_Data):
    """One demand scenario and its probability."""

    name: str
    probability: float


class InventoryData(_Data):
    """End-of-period stock per product [units]: expected and per demand scenario."""

    expected: dict[str, list[float]]
    by_scenario: dict[str, dict[str, list[float]]]


class PresaleData(_Data):
    """How one presale order is served, expected over scenarios."""

    product: str
    period: int
    due_period: int
    units: float
    """Units that must ship [units]."""
    shipped_by_period: list[float]
    """Expected units shipped in each period [units]."""
    on_time_share: float | None


class CapacityData(_Data):
    """Capacity of one supplier per period, in its own capacity unit (None: unlimited)."""

    used: list[float]
    available: list[float | None]
    unit: str = "units"
    """The supplier's capacity unit, e.g. ``sewing minutes`` (older plan files lack it)."""


class MaterialTableData(_Data):
    """One material through the season, expected over scenarios [material unit]."""

    ordered: list[float]
    stock: list[float]
    used: dict[str, list[float]]
    """Material used per style and period."""


class MaterialData(_Data):
    """One material of the materials table (plans without materials lack it)."""

    material: str
    unit: str
    expected: MaterialTableData


class MaterialsData(_Data):
    """The plan's materials: only the table the report shows."""

    by_material: list[MaterialData]


class CampaignData(_Data):
    """One campaign on offer and what the plan does with it (``levers.campaigns``)."""

    name: str
    kind: str
    period: int
    shared: bool
    bought: list[float]
    cost: float
    commission: float
    demand: float
    sales: float
    revenue: float
    roas: float | None = None


class LeversData(_Data):
    """The plan's demand levers: what the report shows of them."""

    marketing_budget: float | None = None
    campaigns: list[CampaignData]
    markdown_calendar: dict[str, list[str]]
    clearance: list[dict[str, Any]]


class PlanData(_Data):
    """Everything the report shows, as ``Plan.to_dict`` writes it."""

    scenario: str
    currency: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    """Relative optimality gap [0-1] (None when unknown)."""
    solver: SolverData
    stopped_by: str = "gap"
    """What ended the search: ``gap``, ``node_limit``, the decomposition's ``iteration_limit`` or
    ``converged``, or ``time_limit``."""
    notice: str | None = None
    """Set when another run of the same input may give another plan (the clock stopped it)."""
    horizon: HorizonData | None = None
    kpis: KpiData
    orders: list[OrderData]
    demand_scenarios: list[ScenarioWeight]
    inventory: InventoryData
    presale: list[PresaleData]
    capacity: dict[str, CapacityData]
    cash: dict[str, list[float]] | None = None
    cash_summary: CashSummaryData | None = None
    reorder_rules: RulesData | None = None
    run: RunData | None = None
    materials: MaterialsData | None = None
    cancellations: list[CancellationData] = []
    levers: LeversData | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PlanData:
        """Checks that the tables agree on products, scenarios and the number of periods."""
        names = [s.name for s in self.demand_scenarios]
        if not names:
            raise ValueError("demand_scenarios is empty")
        unknown = sorted(
            {o.scenario for o in self.orders if o.scenario is not None and o.scenario not in names}
        )
        if unknown:
            raise ValueError(f"orders name demand scenarios the plan lacks: {', '.join(unknown)}")
        if sorted(self.inventory.by_scenario) != sorted(names):
            raise ValueError(
                f"inventory.by_scenario names {sorted(self.inventory.by_scenario)} differ from "
                f"demand_scenarios {sorted(names)}"
            )
        if self.cash is not None and sorted(self.cash) != sorted(names):
            raise ValueError(
                f"cash names {sorted(self.cash)} differ from demand_scenarios {sorted(names)}"
            )
        periods = self.n_periods
        for name, table in self.inventory.by_scenario.items():
            if list(table) != self.products:
                raise ValueError(f"inventory.by_scenario.{name} lists other products than expected")
        rows = [("inventory.expected", self.inventory.expected)]
        rows += [(f"inventory.by_scenario.{n}", t) for n, t in self.inventory.by_scenario.items()]
        for where, table in rows:
            for product, values in table.items():
                if len(values) != periods:
                    raise ValueError(f"{where}.{product} has {len(values)} periods, not {periods}")
        return self

    @property
    def seconds(self) -> float | None:
        """Returns the solve's wall-clock time [seconds], from the run record when there is one."""
        if self.run is not None and self.run.seconds is not None:
            return self.run.seconds
        return self.solver.seconds

    @property
    def products(self) -> list[str]:
        """Returns the product ids in plan order."""
        return list(self.inventory.expected)

    @property
    def n_periods(self) -> int:
        """Returns the number of planning periods T."""
        return len(next(iter(self.inventory.expected.values()), []))

    @property
    def period_axis(self) -> str:
        """Returns the axis label of periods, e.g. ``week (1 = 2025-03-03)``, or ``period``."""
        if self.horizon is None:
            return "period"
        start = self.horizon.start_date
        return self.horizon.period_length + ("" if start is None else f" (1 = {start.isoformat()})")

    @property
    def scenario_names(self) -> list[str]:
        """Returns the demand scenario names in plan order."""
        return [s.name for s in self.demand_scenarios]

    @property
    def probabilities(self) -> list[float]:
        """Returns the demand scenario probabilities in plan order [0-1]."""
        return [s.probability for s in self.demand_scenarios]


def parse_plan(data: Mapping[str, Any], source: str | None = None) -> PlanData:
    """Returns the plan dict checked and typed; a ``PlanFileError`` names each bad field."""
    try:
        return PlanData.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(loc=tuple(item["loc"]), message=_message(item), file=source)
            for item in error.errors()
        ]
        raise PlanFileError(problems, source) from None


def read_plan_data(path: str | Path) -> dict[str, Any]:
    """Returns the JSON object of a plan file, checked to be a flexsupply plan at the top.

    Raises:
        PlanFileError: the file is missing or unreadable, not JSON, not an object, or lacks
            ``status`` or ``orders``; the problem names the file (and the line of bad JSON).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFileError([Problem((), "no such file", source)], source) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise PlanFileError([Problem((), f"cannot be read: {reason}", source)], source) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problem = Problem((), f"not valid JSON: {error.msg}", source, error.lineno, error.colno)
        raise PlanFileError([problem], source) from None
    if not isinstance(data, dict):
        problem = Problem((), f"expected a JSON object, got {type(data).__name__}", source, 1, 1)
        raise PlanFileError([problem], source)
    missing = [key for key in ("status", "orders") if key not in data]
    if missing:
        names = " or ".join(repr(key) for key in missing)
        problem = Problem((), f"not a flexsupply plan (no {names}); {WRITE_ONE}", source)
        raise PlanFileError([problem], source)
    return data


def read_plan_json(path: str | Path) -> PlanData:
    """Returns the checked plan data of a ``plan.json`` written by ``flexsupply solve --out-dir``.

    Raises:
        PlanFileError: as ``read_plan_data`` and ``parse_plan`` say.
    """
    return parse_plan(read_plan_data(path), str(path))


def _message(item: Mapping[str, Any]) -> str:
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return message
