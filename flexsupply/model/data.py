"""Scenario data as arrays indexed the way the model needs them (0-based periods)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.demand.returns import spot_return_rates
from flexsupply.model.cancel import CancellableOrders, cancellable_orders
from flexsupply.scenario import LatenessRule, Objective, Scenario, SupplyTerms, UnmetDemand
from flexsupply.scenario.supply import MaterialTerms


@dataclass(frozen=True)
class ProductData:
    """Per-product parameters, each shape ``(n_products,)`` unless its docstring says otherwise."""

    price: FloatArray
    salvage: FloatArray
    holding: FloatArray
    goodwill: FloatArray
    backlog_cost: FloatArray
    return_rate: FloatArray
    """Return share of presale units, ρ[p]: the product's ``return_rate``."""
    spot_return_rate: FloatArray
    """Return share of spot sales, ρ[p,t], shape ``(n_products, n_periods)``: the channel mix of
    the demand signals (``flexsupply.demand.returns``), else the product's ``return_rate``."""
    return_lag: IntArray
    resellable: FloatArray
    handling: FloatArray
    initial_stock: FloatArray
    lost: BoolArray
    backlog: BoolArray
    forbidden: BoolArray
    firm: bool
    """Every unit of demand must be served (``min_cost``): lost sales are forbidden and
    backlog must be cleared by the end of the horizon."""


@dataclass(frozen=True)
class SupplierData:
    """Per-supplier parameters; ``capacity`` is ``(n_suppliers, n_periods)``, inf when unlimited."""

    capacity: FloatArray
    onboarding: FloatArray
    good_share: FloatArray
    upfront_share: FloatArray
    balance_lag: IntArray


@dataclass(frozen=True)
class OptionData:
    """Order options: one per (product, supplier, price tier), each array ``(n_options,)``.

    Without discount tiers a supply term is one option; with tiers, each non-empty tier is one
    and at most one option of a term is used per order period. ``tier`` is 0 for the term's own
    price and ``i + 1`` for ``discount_tiers[i]``.
    """

    product: IntArray
    supplier: IntArray
    term: IntArray
    tier: IntArray
    min_quantity: FloatArray
    max_quantity: FloatArray
    unit_cost: FloatArray
    """Price per unit by order period, c[o,t], shape ``(n_options, n_periods)`` [currency/unit]."""
    capacity_use: FloatArray
    setup_time: FloatArray
    setup_cost: FloatArray
    lead_time: IntArray
    multiple: FloatArray
    """Order multiple n[o], 0 where any size is allowed [units]; ``min_quantity`` and
    ``max_quantity`` are already whole multiples of it."""
    n_terms: int

    @property
    def needs_switch(self) -> BoolArray:
        """Options that need an on/off decision: fixed cost or time, a minimum, or tiers."""
        shares_term = np.bincount(self.term, minlength=self.n_terms)[self.term] > 1
        return (self.setup_time > 0) | (self.setup_cost > 0) | (self.min_quantity > 0) | shares_term


@dataclass(frozen=True)
class PresaleData:
    """Presale orders, each array ``(n_presale,)``; periods 0-based."""

    product: IntArray
    period: IntArray
    units_to_ship: FloatArray
    deposits: FloatArray
    balance_per_unit: FloatArray
    """Balance at face value, price − deposit [currency/unit]."""
    expansion: FloatArray
    """Balance discount a deposit earns beyond its face value, e − d (0 without deposit
    expansion) [currency/unit]: a converted unit brings price − expansion in all."""
    price: FloatArray
    ship_from: IntArray
    """First period the units may ship: the balance period, else the period taken."""
    due: IntArray
    late_forbidden: BoolArray
    late_cost: FloatArray


@dataclass(frozen=True)
class ModelData:
    """Everything the model builder reads, as arrays."""

    n_periods: int
    reveal: int
    products: ProductData
    suppliers: SupplierData
    options: OptionData
    presale: PresaleData
    receipts: FloatArray | None = None
    """Good units of inbound orders arriving, ``(n_products, T)`` [units] (None: none)."""
    committed_payments: FloatArray | None = None
    """Money owed for inbound orders, paid per period, ``(T,)`` [currency] (None: none)."""
    cancellable: CancellableOrders | None = None
    """Inbound orders the plan may cancel (None: none may be)."""


def model_data(scenario: Scenario) -> ModelData:
    """Returns the scenario's parameters as arrays (products and suppliers in file order).

    Returns:
        ``ModelData`` with 0-based periods; ``reveal`` is the first 0-based period whose orders
        may differ by scenario (``n_periods`` when all orders are shared).
    """
    periods = scenario.horizon.periods
    products = scenario.products
    firm = scenario.objective == Objective.MIN_COST
    unmet = [
        UnmetDemand.FORBIDDEN if firm and p.unmet_demand == UnmetDemand.LOST else p.unmet_demand
        for p in products
    ]
    product_index = {product.id: p for p, product in enumerate(products)}
    options = _option_data(scenario, product_index)
    product_data = ProductData(
        price=np.array([p.price for p in products], dtype=float),
        salvage=np.array([p.salvage_value for p in products], dtype=float),
        holding=_holding(scenario, options),
        goodwill=np.array([p.goodwill_cost for p in products], dtype=float),
        backlog_cost=np.array([p.backlog_cost for p in products], dtype=float),
        return_rate=np.array([p.return_rate for p in products], dtype=float),
        spot_return_rate=spot_return_rates(scenario),
        return_lag=np.array([p.return_lag_periods for p in products], dtype=np.int64),
        resellable=np.array([p.resellable_share for p in products], dtype=float),
        handling=np.array([p.return_handling_cost for p in products], dtype=float),
        initial_stock=np.array([p.initial_stock for p in products], dtype=float),
        lost=np.array([rule == UnmetDemand.LOST for rule in unmet]),
        backlog=np.array([rule == UnmetDemand.BACKLOG for rule in unmet]),
        forbidden=np.array([rule == UnmetDemand.FORBIDDEN for rule in unmet]),
        firm=firm,
    )
    capacity = np.full((len(scenario.suppliers), periods), np.inf)
    for s, supplier in enumerate(scenario.suppliers):
        if supplier.capacity is not None:
            capacity[s, :] = supplier.capacity
    supplier_data = SupplierData(
        capacity=capacity,
        onboarding=np.array([s.onboarding_cost for s in scenario.suppliers], dtype=float),
        good_share=np.array([1.0 - s.defect_rate for s in scenario.suppliers], dtype=float),
        upfront_share=np.array([s.payment.upfront_share for s in scenario.suppliers], dtype=float),
        balance_lag=np.array(
            [s.payment.balance_lag_periods for s in scenario.suppliers], dtype=np.int64
        ),
    )
    reveal = periods if scenario.reveal_period is None else scenario.reveal_period - 1
    return ModelData(
        n_periods=periods,
        reveal=reveal,
        products=product_data,
        suppliers=supplier_data,
        options=options,
        presale=_presale_data(scenario, product_index),
        **_inbound_data(scenario, product_index),
        cancellable=cancellable_orders(scenario),
    )


def _inbound_data(scenario: Scenario, product_index: dict[str, int]) -> dict[str, FloatArray]:
    """Returns the arrivals and payments of the scenario's inbound orders (empty without)."""
    if not scenario.inbound:
        return {}
    periods = scenario.horizon.periods
    receipts = np.zeros((len(product_index), periods))
    payments = np.zeros(periods)
    for order in scenario.inbound:
        receipts[product_index[order.product], order.arrival_period - 1] += order.units
        paid = order.payment_period if order.payment_period is not None else order.arrival_period
        payments[paid - 1] += order.payment_due
    return {"receipts": receipts, "committed_payments": payments}


def _holding(scenario: Scenario, options: OptionData) -> FloatArray:
    """Returns h[p]: the fixed holding cost plus the holding rate times the unit cost.

    The unit cost is the product's ``base_cost``, else the lowest price any term asks for it.

    Returns:
        Shape ``(n_products,)`` [currency/unit/period].
    """
    products = scenario.products
    cheapest = np.full(len(products), np.inf)
    if len(options.product):
        np.minimum.at(cheapest, options.product, options.unit_cost.min(axis=1))
    base = np.array([np.nan if p.base_cost is None else p.base_cost for p in products])
    cost = np.where(np.isnan(base), cheapest, base)
    rate = np.array([p.holding_rate for p in products], dtype=float)
    fixed = np.array([p.holding_cost for p in products], dtype=float)
    return fixed + np.where(rate > 0, rate * np.where(np.isfinite(cost), cost, 0.0), 0.0)


def per_period(value: float | list[float], periods: int) -> FloatArray:
    """Returns a value given as one number or one per period as an array ``(periods,)``."""
    return np.broadcast_to(np.asarray(value, dtype=float), (periods,)).copy()


def tier_options(
    terms: SupplyTerms | MaterialTerms, base: FloatArray
) -> list[tuple[int, float, float, FloatArray]]:
    """Returns the order options of one term: its own price and each all-units discount tier.

    ``base`` is the term's price by period. A tier's range runs from its minimum (at least the
    MOQ) to the next tier's minimum, capped by ``max_per_order``, both rounded inwards to the
    order multiple; empty ranges are dropped except the last.

    Returns:
        ``(tier id, least order, largest order, price by period)`` per option [units, currency].
    """
    periods = len(base)
    multiple = terms.order_multiple or 0.0
    cap = terms.max_per_order if terms.max_per_order is not None else np.inf
    tiers: list[tuple[int, float, FloatArray]] = [(0, terms.moq, base)]
    for i, tier in enumerate(terms.discount_tiers):
        cost = (
            per_period(tier.unit_cost, periods)
            if tier.unit_cost is not None
            else base * float(tier.cost_factor or 0.0)
        )
        tiers.append((i + 1, max(tier.min_quantity, terms.moq), cost))
    options = []
    for position, (tier_id, low, cost) in enumerate(tiers):
        next_low = tiers[position + 1][1] if position + 1 < len(tiers) else np.inf
        high = min(next_low, cap)
        if multiple > 0:
            low = _round_to(low, multiple, up=True)
            high = _round_to(high, multiple, up=False)
        if low >= high and position + 1 < len(tiers):
            continue
        options.append((tier_id, low, high, cost))
    return options


def _option_data(scenario: Scenario, product_index: dict[str, int]) -> OptionData:
    periods = scenario.horizon.periods
    rows: list[tuple[int, int, int, int, float, float, float, float, float, int, float]] = []
    costs: list[FloatArray] = []
    term_count = 0
    for s, supplier in enumerate(scenario.suppliers):
        for terms in supplier.terms:
            for product_id in terms.product_ids:
                product = scenario.products[product_index[product_id]]
                if terms.unit_cost is not None:
                    base = per_period(terms.unit_cost, periods)
                else:
                    factor = float(terms.cost_factor or 0.0) * float(product.base_cost or 0.0)
                    base = np.full(periods, factor)
                capacity_use = terms.capacity_per_unit
                if capacity_use is None:
                    capacity_use = (
                        product.standard_minutes if product.standard_minutes is not None else 1.0
                    )
                for tier_id, low, high, cost in tier_options(terms, base):
                    rows.append(
                        (
                            product_index[product_id],
                            s,
                            term_count,
                            tier_id,
                            low,
                            high,
                            float(capacity_use),
                            terms.setup_time,
                            terms.setup_cost,
                            terms.lead_time_periods,
                            terms.order_multiple or 0.0,
                        )
                    )
                    costs.append(cost)
                term_count += 1
    columns = list(zip(*rows, strict=True)) if rows else [()] * 11
    return OptionData(
        product=np.array(columns[0], dtype=np.int64),
        supplier=np.array(columns[1], dtype=np.int64),
        term=np.array(columns[2], dtype=np.int64),
        tier=np.array(columns[3], dtype=np.int64),
        min_quantity=np.array(columns[4], dtype=float),
        max_quantity=np.array(columns[5], dtype=float),
        unit_cost=np.array(costs, dtype=float).reshape(len(rows), periods),
        capacity_use=np.array(columns[6], dtype=float),
        setup_time=np.array(columns[7], dtype=float),
        setup_cost=np.array(columns[8], dtype=float),
        lead_time=np.array(columns[9], dtype=np.int64),
        multiple=np.array(columns[10], dtype=float),
        n_terms=term_count,
    )


def _round_to(quantity: float, multiple: float, up: bool) -> float:
    """Returns ``quantity`` rounded to a whole multiple of ``multiple``, up or down [units]."""
    if not np.isfinite(quantity):
        return quantity
    steps = quantity / multiple
    whole = np.ceil(steps - 1e-9) if up else np.floor(steps + 1e-9)
    return float(whole * multiple)


def _presale_data(scenario: Scenario, product_index: dict[str, int]) -> PresaleData:
    orders = scenario.presale
    price = np.array(
        [
            o.price if o.price is not None else scenario.products[product_index[o.product]].price
            for o in orders
        ],
        dtype=float,
    )
    deposit = np.array([o.deposit for o in orders], dtype=float)
    expansion = np.array(
        [0.0 if o.deposit_expansion is None else o.deposit_expansion - o.deposit for o in orders],
        dtype=float,
    )
    ship_from = np.array(
        [(o.period if o.balance_period is None else o.balance_period) - 1 for o in orders],
        dtype=np.int64,
    )
    return PresaleData(
        product=np.array([product_index[o.product] for o in orders], dtype=np.int64),
        period=np.array([o.period - 1 for o in orders], dtype=np.int64),
        units_to_ship=np.array([o.quantity * o.conversion_rate for o in orders], dtype=float),
        deposits=np.array([o.quantity * o.deposit for o in orders], dtype=float),
        balance_per_unit=price - deposit,
        expansion=expansion,
        price=price,
        ship_from=ship_from,
        due=ship_from + np.array([o.promise_periods for o in orders], dtype=np.int64),
        late_forbidden=np.array([o.lateness == LatenessRule.FORBIDDEN for o in orders], dtype=bool),
        late_cost=np.array([o.late_cost for o in orders], dtype=float),
    )
