"""Actuals: what happened in a season up to a period, the input of a mid-season replan.

An actuals file states the as-of period (the last period completed) and, up to it: spot sales
per style and period, presale deposits taken and units shipped, money collected, returns
received, purchase orders placed (delivered or in transit), stock on hand and cash on hand.
``check_actuals`` cross-checks them against the scenario they are for; loading with file
positions is in ``actuals_io``.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import Field

from flexsupply.errors import Problem
from flexsupply.scenario.base import Model, NonNegative, Period
from flexsupply.scenario.checks import unknown_message
from flexsupply.scenario.schema import Scenario

Loc = tuple[str | int, ...]


class SpotSale(Model):
    """Spot units of one style sold in one period."""

    product: str
    """Style sold."""
    period: Period
    """Period of the sales (at most ``as_of_period``)."""
    units: NonNegative
    """Units sold, before returns [units]."""
    sold_out: bool = False
    """The style ran out of stock in this period: demand was at least ``units``."""


class PresaleActual(Model):
    """Presale of one style in one period: deposits taken, units shipped, money collected."""

    product: str
    """Style pre-sold."""
    period: Period
    """Period (at most ``as_of_period``)."""
    taken: NonNegative = 0.0
    """Presale units whose deposits were taken in this period, beyond the presale orders the
    scenario already states [units]."""
    shipped: NonNegative = 0.0
    """Presale units shipped to customers in this period [units]."""
    deposits: NonNegative = 0.0
    """Deposits collected in this period [currency]."""
    balances: NonNegative = 0.0
    """Balances collected in this period [currency]."""


class PurchaseOrderActual(Model):
    """A purchase order placed: delivered when it arrived by the as-of period, else in transit."""

    supplier: str
    """Supplier the order was placed with."""
    product: str
    """Style ordered."""
    units: NonNegative
    """Units ordered [units]."""
    period: Period
    """Period the order was placed (at most ``as_of_period``)."""
    arrival_period: Period
    """Period the units arrive (arrived) in stock."""
    paid: NonNegative | None = None
    """Money already paid for it [currency]; omitted: as the supplier's payment terms say."""


class ReturnActual(Model):
    """Units of one style that customers sent back in one period."""

    product: str
    """Style returned."""
    period: Period
    """Period the returns arrived (at most ``as_of_period``)."""
    units: NonNegative
    """Units returned [units]."""


class Actuals(Model):
    """What happened in a season up to and including ``as_of_period``."""

    scenario: str
    """Name of the scenario these actuals are for (its ``name``)."""
    as_of_period: Period
    """Last period completed; the replan decides from the next one on."""
    stock: dict[str, NonNegative] = Field(default_factory=dict)
    """Units on hand per style at the end of ``as_of_period`` [units]; styles not listed: 0."""
    cash: float | None = None
    """Cash on hand at the end of ``as_of_period`` [currency]; omitted: the scenario's own
    initial cash plus what the actuals show collected less what they show paid."""
    sales: list[SpotSale] = Field(default_factory=list)
    """Spot sales per style and period."""
    presale: list[PresaleActual] = Field(default_factory=list)
    """Presale deposits taken, units shipped and money collected per style and period."""
    orders: list[PurchaseOrderActual] = Field(default_factory=list)
    """Purchase orders placed, delivered or in transit."""
    returns: list[ReturnActual] = Field(default_factory=list)
    """Customer returns received per style and period."""


def check_actuals(actuals: Actuals, scenario: Scenario) -> list[Problem]:
    """Returns every problem of actuals read against the scenario they are for.

    Returns:
        Problems located by field path: another scenario's actuals (at ``scenario``), an as-of
        period not inside the horizon, unknown styles or suppliers, a supplier without terms for
        the style, periods after the as-of period, arrival before placement, and presale shipped
        beyond what was taken (the scenario's presale of those periods plus the actuals').
    """
    if actuals.scenario != scenario.name:
        message = (
            f"these actuals are for scenario {actuals.scenario!r}, not {scenario.name!r}; "
            "replan with the scenario file they were recorded for"
        )
        return [Problem(("scenario",), message)]
    problems: list[Problem] = []
    as_of, periods = actuals.as_of_period, scenario.horizon.periods
    if as_of >= periods:
        message = f"must be before the last period {periods}: nothing is left to plan"
        problems.append(Problem(("as_of_period",), message))
    products = scenario.product_ids
    makes = {s.id: {p for t in s.terms for p in t.product_ids} for s in scenario.suppliers}

    def product(loc: Loc, value: str) -> bool:
        if value in products:
            return True
        problems.append(Problem(loc, unknown_message("product", value, products)))
        return False

    def past(loc: Loc, value: int) -> None:
        if value > as_of:
            message = f"period {value} is after the as-of period {as_of}"
            problems.append(Problem(loc, message))

    for style in actuals.stock:
        product(("stock", style), style)
    for block in ("sales", "returns", "presale"):
        for i, item in enumerate(getattr(actuals, block)):
            product((block, i, "product"), item.product)
            past((block, i, "period"), item.period)
    for i, order in enumerate(actuals.orders):
        loc: Loc = ("orders", i)
        known = product((*loc, "product"), order.product)
        if order.supplier not in makes:
            problems.append(
                Problem(
                    (*loc, "supplier"), unknown_message("supplier", order.supplier, list(makes))
                )
            )
        elif known and order.product not in makes[order.supplier]:
            message = f"supplier {order.supplier!r} has no terms for {order.product!r}"
            problems.append(Problem((*loc, "product"), message))
        past((*loc, "period"), order.period)
        if order.arrival_period < order.period:
            message = f"arrives in period {order.arrival_period}, before it was placed"
            problems.append(Problem((*loc, "arrival_period"), message))
        elif order.arrival_period > periods:
            message = f"arrives in period {order.arrival_period}, after the horizon 1..{periods}"
            problems.append(Problem((*loc, "arrival_period"), message))
    return problems + _shipped_problems(actuals, scenario)


def _shipped_problems(actuals: Actuals, scenario: Scenario) -> list[Problem]:
    """Returns a problem where a style's presale shipped so far exceeds what was taken."""
    taken: dict[str, float] = defaultdict(float)
    for order in scenario.presale:
        if order.period <= actuals.as_of_period:
            taken[order.product] += order.quantity
    shipped: dict[str, float] = defaultdict(float)
    problems: list[Problem] = []
    by_period = sorted(range(len(actuals.presale)), key=lambda i: actuals.presale[i].period)
    for index in by_period:
        item = actuals.presale[index]
        taken[item.product] += item.taken
        shipped[item.product] += item.shipped
        if shipped[item.product] > taken[item.product] + 1e-9:
            message = (
                f"{item.product}: {shipped[item.product]:g} presale units shipped by period "
                f"{item.period}, but only {taken[item.product]:g} were sold"
            )
            problems.append(Problem(("presale", index, "shipped"), message))
            shipped[item.product] = taken[item.product]
    return problems


__all__ = [
    "Actuals",
    "PresaleActual",
    "PurchaseOrderActual",
    "ReturnActual",
    "SpotSale",
    "check_actuals",
]
