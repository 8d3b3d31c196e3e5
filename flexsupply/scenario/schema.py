"""The scenario schema: everything a plan is made from, validated with units checked.

Periods are numbered 1..T in files and outputs. Money is in ``horizon.currency``; quantities are
in units (pieces) unless a field says otherwise. Every field's docstring gives its unit and the
symbol it carries in the model formulation (``docs/model.md``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator

from flexsupply.errors import ScenarioError
from flexsupply.scenario.base import (
    FIRST_DATE,
    LAST_DATE,
    MAX_PERIODS,
    Capacity,
    Factor,
    Id,
    Money,
    Period,
    Periods,
    Real,
    Share,
    UnitMoney,
    Units,
    Whole,
    id_key,
)
from flexsupply.scenario.base import Model as Model
from flexsupply.scenario.checks import presale_problems, reference_problems
from flexsupply.scenario.demand_block import Demand as Demand
from flexsupply.scenario.demand_block import DemandScenario as DemandScenario
from flexsupply.scenario.inbound import Cancellation, InboundOrder, inbound_problems
from flexsupply.scenario.levers import Levers, lever_problems
from flexsupply.scenario.material_checks import material_problems
from flexsupply.scenario.objective import Objective as Objective
from flexsupply.scenario.objective import Options as Options
from flexsupply.scenario.objective import Risk as Risk
from flexsupply.scenario.objective import Service as Service

# The parametric demand blocks live in their own module (named here for the YAML loader).
from flexsupply.scenario.parametric import CorrelationPair as CorrelationPair
from flexsupply.scenario.parametric import ParametricDemand as ParametricDemand
from flexsupply.scenario.parametric import StyleDistribution as StyleDistribution
from flexsupply.scenario.parametric_checks import parametric_problems

# The signal, financing and material blocks live in their own modules; they are named here so
# that the YAML loader knows their field names (for "did you mean" hints, missing fields' paths).
from flexsupply.scenario.signals import Channels as Channels
from flexsupply.scenario.signals import EventSpike as EventSpike
from flexsupply.scenario.signals import Funnel as Funnel
from flexsupply.scenario.signals import Livestream as Livestream
from flexsupply.scenario.signals import Posts as Posts
from flexsupply.scenario.signals import PrivateDomain as PrivateDomain
from flexsupply.scenario.signals import ProductSignals as ProductSignals
from flexsupply.scenario.signals import SearchChannel as SearchChannel
from flexsupply.scenario.signals import SignalDemand as SignalDemand
from flexsupply.scenario.signals import StyleUncertainty as StyleUncertainty
from flexsupply.scenario.signals import TimeProfile as TimeProfile
from flexsupply.scenario.signals import Uncertainty as Uncertainty
from flexsupply.scenario.supply import BomLine as BomLine
from flexsupply.scenario.supply import Cash as Cash
from flexsupply.scenario.supply import CreditLine as CreditLine
from flexsupply.scenario.supply import DiscountTier as DiscountTier
from flexsupply.scenario.supply import Material as Material
from flexsupply.scenario.supply import MaterialTerms as MaterialTerms
from flexsupply.scenario.supply import TermLoan as TermLoan
from flexsupply.scenario.supply import Warehouse as Warehouse
from flexsupply.scenario.tree import MAX_BRANCHING, tree_problems


class PeriodLength(StrEnum):
    """Length of one planning period."""

    DAY = "day"
    WEEK = "week"


class Horizon(Model):
    """The planning horizon."""

    periods: Whole = Field(ge=1, le=MAX_PERIODS)
    """Number of planning periods T."""
    period_length: PeriodLength = PeriodLength.WEEK
    """Length of one period: ``day`` or ``week``."""
    start_date: date | None = Field(None, ge=FIRST_DATE, le=LAST_DATE)
    """Calendar date of the first day of period 1 (optional, only used to label outputs)."""
    currency: str = "CNY"
    """Currency of every money amount in the scenario."""


class UnmetDemand(StrEnum):
    """What happens to spot demand that is not served in its period."""

    LOST = "lost"
    BACKLOG = "backlog"
    FORBIDDEN = "forbidden"


class Product(Model):
    """A sellable style (or style-colour SKU)."""

    id: Id
    """Unique identifier, e.g. ``DRESS-01``; no other product's id may differ from it only by
    case, spaces, Unicode form or invisible characters."""
    name: str | None = None
    """Human-readable name (optional)."""
    price: UnitMoney = 0.0
    """Selling price of a spot sale [currency/unit]. Symbol: P[p]."""
    salvage_value: UnitMoney = 0.0
    """Value of a unit left in stock at the end of the horizon [currency/unit]. Symbol: v[p]."""
    holding_cost: UnitMoney = 0.0
    """Cost of holding one unit in stock for one period [currency/unit/period]. Symbol: h[p]."""
    holding_rate: Share = 0.0
    """Holding cost as a share of the unit cost per period, added to ``holding_cost`` (the
    textbook i·c): the unit cost is ``base_cost``, else the lowest price any supply term asks
    [share/period], e.g. 0.005 for about 26 % a year on weekly periods. Symbol: i_h[p]."""
    goodwill_cost: UnitMoney = 0.0
    """Cost of a spot sale lost for want of stock, beyond the lost margin [currency/unit].
    Symbol: g[p]."""
    unmet_demand: UnmetDemand = UnmetDemand.LOST
    """Spot demand not served in its period is ``lost`` (goodwill cost), ``backlog`` (served
    later at ``backlog_cost`` per unit-period, lost at horizon end) or ``forbidden``."""
    backlog_cost: UnitMoney = 0.0
    """Cost of one backlogged unit for one period [currency/unit/period]. Symbol: b[p]."""
    return_rate: Share = 0.0
    """Share of units sold that customers send back: presale units, and spot sales unless the
    demand signals give channel rates (then spot sales return at their channels' mix ρ[p,t],
    channels without a rate counting at this one). Symbol: ρ[p]."""
    return_lag_periods: Whole = Field(1, ge=1, le=MAX_PERIODS)
    """Periods between a sale and its return arriving back in stock (at least 1: a unit cannot
    be resold in the period it was sold). Symbol: R[p]."""
    resellable_share: Share = 1.0
    """Share of returned units fit to sell again; the rest is written off. Symbol: η[p]."""
    return_handling_cost: UnitMoney = 0.0
    """Cost of handling one returned unit [currency/unit]. Symbol: r[p]."""
    initial_stock: Units = 0.0
    """Units in stock at the start of period 1. Symbol: I0[p]."""
    standard_minutes: Capacity | None = None
    """Factory capacity one unit uses (e.g. sewing minutes, SAM) where a supplier's terms do not
    say otherwise [capacity units/unit]."""
    base_cost: UnitMoney | None = None
    """Reference unit cost that supplier terms can scale with ``cost_factor`` [currency/unit]."""
    bom: list[BomLine] = Field(default_factory=list)
    """Bill of materials: what one piece is cut from (see ``materials``). A piece cannot be
    sewn before its materials are in stock."""


class SupplyTerms(Model):
    """What one supplier charges and needs to make one or more products."""

    product: str | None = None
    """Product these terms are for (or use ``products`` for several with the same terms)."""
    products: list[str] | None = Field(None, min_length=1)
    """Products these terms are for, when several share the same terms."""
    unit_cost: UnitMoney | list[UnitMoney] | None = None
    """Price per unit ordered, defects included: one number for every period, or a list with
    one price per period the order is placed in [currency/unit]. Symbol: c[p,s,t]."""
    cost_factor: Factor | None = None
    """Price per unit as a multiple of the product's ``base_cost`` (alternative to unit_cost)."""
    capacity_per_unit: Capacity | None = None
    """Capacity one unit uses, in the supplier's capacity unit; defaults to the product's
    ``standard_minutes``, else 1. Symbol: a[p,s]."""
    setup_time: Capacity = 0.0
    """Capacity used by each order, whatever its size [capacity units/order]. Symbol: σ[p,s]."""
    setup_cost: Money = 0.0
    """Fixed cost of each order [currency/order]. Symbol: f[p,s]."""
    moq: Units = 0.0
    """Minimum order quantity: an order is 0 or at least this [units]. Symbol: m[p,s]."""
    max_per_order: Units | None = None
    """Largest order the supplier accepts in one period [units]. Symbol: M[p,s]."""
    order_multiple: Annotated[Units, Field(gt=0)] | None = None
    """Orders come in whole multiples of this size (case packs, cutting-bed lays): 50 allows
    orders of 50, 100, 150 … [units]; omitted means any size. Symbol: n[p,s]."""
    lead_time_periods: Periods = 0
    """Periods from placing an order to its arrival in stock. Symbol: L[p,s]."""
    discount_tiers: list[DiscountTier] = Field(default_factory=list)
    """All-units price breaks; an order pays the price of the highest tier it reaches."""

    @model_validator(mode="after")
    def _one_product_field_and_price(self) -> Self:
        if (self.product is None) == (self.products is None):
            raise ValueError("give exactly one of product or products")
        if (self.unit_cost is None) == (self.cost_factor is None):
            raise ValueError("give exactly one of unit_cost or cost_factor")
        return self

    @property
    def product_ids(self) -> list[str]:
        """The ids of the products these terms cover."""
        return [self.product] if self.product is not None else list(self.products or [])


class PaymentTerms(Model):
    """When the brand pays a supplier for an order."""

    upfront_share: Share = 0.0
    """Share of an order's cost paid when the order is placed; the rest on delivery."""
    balance_lag_periods: Periods = 0
    """Periods after delivery that the rest of the order's cost is paid."""


class Supplier(Model):
    """A factory or workshop."""

    id: Id
    """Unique identifier, e.g. ``QR-HZ``; no other supplier's id may differ from it only by
    case, spaces, Unicode form or invisible characters."""
    name: str | None = None
    """Human-readable name (optional)."""
    kind: str | None = None
    """Free label such as ``quick-response``, ``standard`` or ``workshop``."""
    capacity: Capacity | list[Capacity] | None = None
    """Capacity per period in ``capacity_unit``: one number for every period, or a list with one
    number per period; omitted means unlimited. Symbol: K[s,t]."""
    capacity_unit: str = "units"
    """Unit of capacity, e.g. ``sewing minutes``."""
    onboarding_cost: Money = 0.0
    """One-off cost of using this supplier at all this season [currency]. Symbol: F[s]."""
    defect_rate: Real = Field(0.0, ge=0, lt=1)
    """Share of units ordered that arrive unusable (paid for, not sellable). γ[s] = 1 − rate."""
    payment: PaymentTerms = Field(default_factory=PaymentTerms)
    """Payment terms."""
    terms: list[SupplyTerms] = Field(min_length=1)
    """Products this supplier can make, with their terms."""
    cancellation: Cancellation | None = None
    """Whether its committed (``inbound``) orders may be cancelled in a replan; omitted: never."""


class LatenessRule(StrEnum):
    """Whether a presale unit may ship after its promised period."""

    FORBIDDEN = "forbidden"
    PRICED = "priced"


class PresaleOrder(Model):
    """Presale orders taken for one product in one period: deposit now, balance at shipment."""

    product: str
    """Product pre-sold."""
    period: Period
    """Period the deposits are taken. Symbol: t[r]."""
    quantity: Units
    """Units pre-sold (deposits taken). Symbol: q[r]."""
    price: UnitMoney | None = None
    """Full presale price per unit, deposit included; defaults to the product's price
    [currency/unit]."""
    deposit: UnitMoney = 0.0
    """Deposit per unit, kept by the brand if the buyer does not pay the balance
    [currency/unit]. Symbol: d[r]. Tmall and JD cap 11.11 deposits at 20 % of the price (the
    Civil Code's cap on forfeitable earnest money); the schema does not enforce it."""
    deposit_expansion: UnitMoney | None = None
    """Deposit expansion (定金膨胀): what one unit's deposit counts for against the price when
    the balance is paid, e.g. 100 for a 50 deposit [currency/unit]; at least ``deposit`` and at
    most the price. A converted unit brings the deposit plus a balance of price − expansion,
    so the brand concedes expansion − deposit per unit. Omitted: the deposit counts at face
    value. Symbol: e[r]."""
    conversion_rate: Share = 1.0
    """Share of deposits whose buyers pay the balance and must be shipped. Symbol: κ[r]."""
    balance_period: Period | None = None
    """Period the balance is paid, for deposit-and-balance presales such as 11.11 (deposits in
    late October, the balance window in November): units ship from this period on and the
    promise counts from it. Omitted: the period the deposits are taken. Symbol: b[r]."""
    promise_periods: Periods
    """Promised window: units must ship by period ``balance_period + promise_periods`` (by
    ``period + promise_periods`` without a balance period). Symbol: W[r]."""
    lateness: LatenessRule = LatenessRule.FORBIDDEN
    """``forbidden``: every unit ships on time; ``priced``: late units cost ``late_cost``."""
    late_cost: UnitMoney = 0.0
    """Cost of one unit shipped one period late [currency/unit/period]. Symbol: ℓ[r]."""

    @model_validator(mode="after")
    def _balance_after_deposit_and_expansion_within_price(self) -> Self:
        if self.balance_period is not None and self.balance_period < self.period:
            raise ValueError(
                f"balance_period ({self.balance_period}) must not come before the deposits "
                f"(period {self.period})"
            )
        if self.price is not None and self.deposit > self.price:
            raise ValueError(
                f"deposit ({self.deposit:g}) must not exceed the price ({self.price:g}): the "
                "deposit is part of the price"
            )
        expansion = self.deposit_expansion
        if expansion is None:
            return self
        if expansion < self.deposit:
            raise ValueError(
                f"deposit_expansion ({expansion:g}) must be at least the deposit "
                f"({self.deposit:g}): it is what the deposit counts for against the price"
            )
        if self.price is not None and expansion > self.price:
            raise ValueError(
                f"deposit_expansion ({expansion:g}) must not exceed the price ({self.price:g}): "
                "the balance would be negative"
            )
        return self


class Scenario(Model):
    """A complete planning problem: horizon, products, suppliers, presale, demand and money."""

    name: str = "scenario"
    """Name shown in reports."""
    horizon: Horizon
    """Planning horizon."""
    products: list[Product] = Field(min_length=1)
    """Products to plan."""
    suppliers: list[Supplier] = Field(min_length=1)
    """Suppliers that can make them."""
    presale: list[PresaleOrder] = Field(default_factory=list)
    """Firm presale orders (deposits taken)."""
    demand: Demand = Field(default_factory=lambda: Demand(units={}))
    """Spot demand."""
    reveal_period: Period | None = None
    """First period whose orders may differ by demand scenario (reorders); orders before it are
    shared by all scenarios. Omitted: every order is shared (a plan fixed in advance). Symbol: τ."""
    later_reveal_periods: list[Period] = Field(default_factory=list)
    """More reveal points after ``reveal_period``, in increasing order: orders between two reveal
    points are shared by the scenarios of one tree node (``demand.scenarios[*].nodes``); from
    the last on, by none. Omitted: one reveal point. Symbol: τ_k."""
    tree_branching: list[Annotated[int, Field(ge=1, le=MAX_BRANCHING)]] = Field(
        default_factory=list
    )
    """With signal demand: into how many nodes each node splits at each reveal point but the
    last, one number per later reveal period: futures are ranked by the spot demand seen before
    the reveal point and cut into that many groups of about equal count. Symbol: b_k."""
    warehouse: Warehouse = Field(default_factory=Warehouse)
    """Storage limits."""
    cash: Cash | None = None
    """Cash tracking; omitted means cash is not modelled."""
    objective: Objective = Objective.MAX_PROFIT
    """``max_profit`` (expected profit) or ``min_cost`` (every demand firm, costs only)."""
    options: Options = Field(default_factory=Options)
    """Modelling switches."""
    risk: Risk | None = None
    """Risk aversion (CVaR of loss); omitted means risk-neutral."""
    service: Service | None = None
    """Service-level targets; omitted means none."""
    materials: list[Material] = Field(default_factory=list)
    """Fabrics, linings and trims that styles are cut from (``products[*].bom``); omitted:
    materials are not modelled."""
    inbound: list[InboundOrder] = Field(default_factory=list)
    """Orders placed before period 1 that arrive during the horizon (in transit)."""
    levers: Levers | None = None
    """Demand-side decisions: campaigns, markdowns, clearance, repurchase; omitted: none."""

    @field_validator("products", "suppliers", "materials")
    @classmethod
    def _unique_ids(cls, items: list[Any]) -> list[Any]:
        seen: dict[str, str] = {}
        for item in items:
            key = id_key(item.id)
            if key in seen:
                same = "" if seen[key] == item.id else f" (as {seen[key]!r})"
                raise ValueError(f"id {item.id!r} appears more than once{same}")
            seen[key] = item.id
        return items

    @model_validator(mode="after")
    def _references(self) -> Self:
        problems = reference_problems(self) + presale_problems(self) + inbound_problems(self)
        problems += material_problems(self) + tree_problems(self) + lever_problems(self)
        problems += parametric_problems(self)
        if problems:
            raise ScenarioError(problems)
        return self

    @property
    def product_ids(self) -> list[str]:
        """Product ids in file order."""
        return [product.id for product in self.products]

    @property
    def supplier_ids(self) -> list[str]:
        """Supplier ids in file order."""
        return [supplier.id for supplier in self.suppliers]
