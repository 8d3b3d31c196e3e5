"""Supply-side blocks of a scenario: price breaks, materials with their suppliers, financing.

Kept apart from ``schema.py`` (which names them) so that each module stays one size; the
symbols are those of ``docs/model.md``.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from flexsupply.scenario.base import (
    Capacity,
    Factor,
    Id,
    Model,
    Money,
    Period,
    Periods,
    SignedMoney,
    UnitMoney,
    Units,
)


class DiscountTier(Model):
    """One all-units quantity-discount tier of a supply term."""

    min_quantity: Units
    """Order size from which this tier's price applies to every unit of the order [units]."""
    unit_cost: UnitMoney | list[UnitMoney] | None = None
    """Price per unit in this tier: one number, or a list with one price per order period
    [currency/unit]. Symbol: c[o,t]."""
    cost_factor: Factor | None = None
    """Price in this tier as a multiple of the term's unit cost (alternative to ``unit_cost``)."""

    @model_validator(mode="after")
    def _one_price(self) -> Self:
        if (self.unit_cost is None) == (self.cost_factor is None):
            raise ValueError("give exactly one of unit_cost or cost_factor")
        return self


class CreditLine(Model):
    """A revolving credit line: draw and repay any period, pay interest on what is drawn."""

    limit: Money | None = None
    """Most that may be drawn at the end of any period [currency]; omitted: no limit (a
    last-resort loan at this rate). Symbol: B̄."""
    interest_rate: Factor
    """Interest per period on the balance drawn at the end of a period, paid with the balance
    in the next period [share/period], e.g. 0.004 for about 23 % a year on weekly periods.
    Symbol: i_B."""
    fee_rate: Factor = 0.0
    """Commitment fee per period on the whole limit, drawn or not [share/period]; needs a
    ``limit``. Symbol: φ."""

    @model_validator(mode="after")
    def _fee_needs_limit(self) -> Self:
        if self.fee_rate > 0 and self.limit is None:
            raise ValueError("fee_rate is charged on the limit: give a limit or drop fee_rate")
        return self


class TermLoan(Model):
    """A loan offered for the season: borrow up to an amount once, repay it in one sum."""

    name: str = Field(min_length=1)
    """Label of the loan in the plan, e.g. ``bank-spring``."""
    amount: Money
    """Most that can be borrowed; the plan decides how much [currency]. Symbol: A[j]."""
    period: Period
    """Period the money arrives. Symbol: t_A[j]."""
    interest_rate: Factor
    """Interest per period on the amount borrowed, paid in each period after ``period`` up to
    and including ``repayment_period`` [share/period]. Symbol: i[j]."""
    repayment_period: Period
    """Period the amount borrowed is paid back in one sum (after ``period``). Symbol: t_R[j]."""

    @model_validator(mode="after")
    def _repaid_after_borrowed(self) -> Self:
        if self.repayment_period <= self.period:
            raise ValueError(
                f"repayment_period ({self.repayment_period}) must come after the period the "
                f"money arrives ({self.period})"
            )
        return self


class BomLine(Model):
    """One material of a style's bill of materials."""

    material: str
    """Id of the material (``materials[*].id``)."""
    quantity: Annotated[Units, Field(gt=0)]
    """Material in one finished piece, in the material's unit [material unit/unit]."""
    cutting_loss: Annotated[float, Field(ge=0, lt=1)] = 0.0
    """Share of the material cut that ends up as waste (markers, shrinkage); a piece takes
    u[p,m] = quantity / (1 − cutting_loss) off the roll. Symbol: u[p,m]."""


class MaterialTerms(Model):
    """What one mill or trim supplier charges and needs to supply one material."""

    supplier: str = Field(min_length=1)
    """Name of the mill or trim supplier (a label in the plan)."""
    unit_cost: UnitMoney | list[UnitMoney]
    """Price per material unit: one number, or a list with one price per period the order is
    placed in [currency/material unit]. Symbol: c_m[k,t]."""
    moq: Units = 0.0
    """Minimum order, e.g. one roll or 300 m: an order is 0 or at least this [material unit].
    Symbol: m_m[k]."""
    order_multiple: Annotated[Units, Field(gt=0)] | None = None
    """Orders come in whole multiples of this (whole rolls) [material unit]. Symbol: n_m[k]."""
    max_per_order: Units | None = None
    """Largest order accepted in one period [material unit]. Symbol: M_m[k]."""
    capacity: Capacity | list[Capacity] | None = None
    """Most the supplier can deliver from orders placed in one period: one number or one per
    period; omitted means unlimited [material unit/period]. Symbol: K_m[k,t]."""
    lead_time_periods: Periods = 0
    """Periods from placing an order to the material arriving. Symbol: L_m[k]."""
    discount_tiers: list[DiscountTier] = Field(default_factory=list)
    """All-units price breaks; an order pays the price of the highest tier it reaches."""


class Material(Model):
    """A fabric, lining or trim that several styles may be cut from."""

    id: Id
    """Unique identifier, e.g. ``POPLIN-WHITE``."""
    name: str | None = None
    """Human-readable name (optional)."""
    unit: str = "m"
    """Unit the material is counted in, e.g. ``m`` or ``pieces``."""
    initial_stock: Units = 0.0
    """Material in stock at the start of period 1 [material unit]. Symbol: J0[m]."""
    salvage_value: UnitMoney = 0.0
    """Value of a unit left over at the end of the horizon [currency/material unit]; below the
    cheapest price, or buying to resell would pay. Symbol: v_m[m]."""
    holding_cost: UnitMoney = 0.0
    """Cost of keeping one unit in stock for one period [currency/material unit/period].
    Symbol: h_m[m]."""
    suppliers: list[MaterialTerms] = Field(default_factory=list)
    """Who can supply it; omitted: only the stock on hand."""


class Warehouse(Model):
    """Storage limits."""

    capacity: Units | None = None
    """Most units in stock at the end of any period, all products together [units]. Symbol: Wh."""
    overflow_cost: UnitMoney | None = None
    """Price of storing one unit beyond ``capacity`` for one period at a third-party warehouse
    [currency/unit/period]; omitted: the capacity is a hard limit. Symbol: o_W."""


class Cash(Model):
    """Cash position over the season."""

    initial: SignedMoney = 0.0
    """Cash at the start of period 1 [currency]. Symbol: C0."""
    enforce_non_negative: bool = True
    """Forbid a negative cash balance at the end of any period in any scenario."""
    sales_receipt_lag_periods: Periods = 0
    """Periods between a sale and the platform paying it out (refunds follow returns at once)."""
    credit_line: CreditLine | None = None
    """A credit line to draw on when cash runs short; omitted: none."""
    loans: list[TermLoan] = Field(default_factory=list)
    """Term loans on offer; each is a decision of how much to borrow."""
