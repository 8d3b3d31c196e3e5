"""The season re-anchored at the as-of period of its actuals: what is left to plan.

Period t of the season is period t − a of the re-anchored scenario (a = ``as_of_period``); its
horizon has T − a periods and starts a periods later. What happened is fixed:

- stock on hand becomes each style's ``initial_stock``, cash on hand the initial cash;
- orders placed that arrive after period a become ``inbound`` orders: their good units arrive as
  scheduled and what is still owed for them is paid as scheduled; they are never bought again,
  and the new plan may cancel or reduce those of suppliers with ``cancellation`` terms
  (``order_value`` is their cost, the base of the cancellation charge);
- returns of sales made before a + 1 that arrive later are inbound too (expected units: the
  return share ρ times the resellable share η of the units sold or shipped, refunds and
  handling paid on arrival);
- suppliers already ordered from pay no onboarding cost again;
- presale promises still open stay firm: units not yet shipped of deposits already taken must
  ship, their deposits already being in the cash; presale orders of later periods stay as stated;
- the spot demand of the periods left is updated from the realised spot sales
  (``demand/sales.py``) and stated as weighted scenarios;
- the reveal period moves forward: it stays where it was when that is still ahead, else orders
  from ``reveal_after`` periods on may differ by scenario; later reveal points still ahead stay,
  with the tree nodes of their stages (``scenario/tree.py``);
- what is given per period (capacities, prices by period) keeps its periods left; loans offered
  later keep their periods, loans whose moment has passed are gone, and a credit line starts
  undrawn (the cash on hand is net of it);
- campaigns and clearance sales still ahead keep their periods, shifted (``reanchor_levers``).

The actuals cannot state material stock or loans taken yet: a season with materials, or with a
loan that may be running at the as-of period, is refused rather than guessed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray
from flexsupply.demand import DemandScenarios, demand_scenarios, reduce_scenarios
from flexsupply.demand.forecast import signal_forecast
from flexsupply.demand.returns import spot_return_rates
from flexsupply.demand.sales import reweight_scenarios, sales_update
from flexsupply.errors import Problem, ScenarioError
from flexsupply.model.tree import grouped_nodes
from flexsupply.scenario import (
    Demand,
    DemandScenario,
    PeriodLength,
    PresaleOrder,
    Scenario,
    SupplyTerms,
)
from flexsupply.scenario.actuals import Actuals
from flexsupply.scenario.inbound import InboundOrder
from flexsupply.scenario.levers import reanchor_levers
from flexsupply.scenario.tree import shifted_tree, stages_ahead


def realised_sales(scenario: Scenario, actuals: Actuals) -> tuple[FloatArray, BoolArray]:
    """Returns the spot sales of the actuals per style and elapsed period.

    A style without sales rows sold nothing.

    Returns:
        ``(units sold [units], sold out)``, each of shape ``(n_products, as_of_period)``,
        products in file order.
    """
    index = {product_id: p for p, product_id in enumerate(scenario.product_ids)}
    sales = np.zeros((len(index), actuals.as_of_period))
    sold_out = np.zeros(sales.shape, dtype=bool)
    for sale in actuals.sales:
        sales[index[sale.product], sale.period - 1] += sale.units
        sold_out[index[sale.product], sale.period - 1] |= sale.sold_out
    return sales, sold_out


def updated_demand(
    scenario: Scenario, actuals: Actuals, seed: int | None = None
) -> DemandScenarios:
    """Returns the spot demand of the whole season updated with the realised sales.

    Signal demand: the presale-updated model is updated with the sales (Gamma–Poisson), sampled
    and reduced as ``demand_scenarios`` does (same sample count, seed and kept scenarios).
    Scenario tables: the scenarios are reweighted by Bayes' rule.

    Returns:
        ``DemandScenarios`` over all T periods (the elapsed ones as the scenarios had them).
    """
    sales, sold_out = realised_sales(scenario, actuals)
    signals = scenario.demand.signals
    if signals is None:
        return reweight_scenarios(demand_scenarios(scenario), sales, sold_out)
    model = sales_update(signal_forecast(scenario).after, sales, sold_out).after
    sampling, grouping = np.random.SeedSequence(signals.seed if seed is None else seed).spawn(2)
    drawn = model.sample(signals.samples, sampling)
    return reduce_scenarios(drawn, signals.scenarios_kept, signals.reduction, grouping).scenarios


def reanchor(
    scenario: Scenario,
    actuals: Actuals,
    *,
    demand: DemandScenarios | None = None,
    reveal_after: int = 1,
) -> Scenario:
    """Returns the scenario of the periods after ``actuals.as_of_period``.

    Args:
        scenario: the season's scenario.
        actuals: its actuals, checked against it (``load_actuals``).
        demand: updated demand of the whole season (default: ``updated_demand``).
        reveal_after: when the season's reveal period has passed, the new one is this many
            periods into the re-anchored horizon (1: the orders of the first period left are
            shared, those of later periods may differ by scenario).

    Returns:
        The re-anchored ``Scenario``, named like the season (``replan`` with a period offset).

    Raises:
        ScenarioError: the scenario tracks cash and the actuals give no cash on hand.
    """
    a = actuals.as_of_period
    periods = scenario.horizon.periods - a
    problems = _unsupported(scenario, actuals)
    if problems:
        raise ScenarioError(problems, "actuals")
    future = demand if demand is not None else updated_demand(scenario, actuals)
    ordered = {order.supplier for order in actuals.orders}
    horizon = scenario.horizon.model_copy(update={"periods": periods})
    if horizon.start_date is not None:
        days = 7 if horizon.period_length == PeriodLength.WEEK else 1
        horizon.start_date = horizon.start_date + timedelta(days=days * a)
    products = [
        p.model_copy(update={"initial_stock": actuals.stock.get(p.id, 0.0)})
        for p in scenario.products
    ]
    suppliers = []
    for supplier in scenario.suppliers:
        update: dict[str, object] = {"terms": [_later_prices(t, a) for t in supplier.terms]}
        if isinstance(supplier.capacity, list):
            update["capacity"] = supplier.capacity[a:]
        if supplier.id in ordered:
            update["onboarding_cost"] = 0.0
        suppliers.append(supplier.model_copy(update=update))
    reveal = scenario.reveal_period
    if reveal is not None:
        reveal = reveal - a if reveal - a > reveal_after else reveal_after + 1
        reveal = reveal if reveal <= periods else None
    later, nodes = shifted_tree(scenario, a, reveal)
    if scenario.tree_branching:
        later, nodes = _signal_tree(scenario, future, a, reveal)
    cash = scenario.cash
    if cash is not None:
        cash = cash.model_copy(
            update={
                "initial": float(actuals.cash or 0.0),
                "loans": [
                    loan.model_copy(
                        update={
                            "period": loan.period - a,
                            "repayment_period": loan.repayment_period - a,
                        }
                    )
                    for loan in cash.loans
                    if loan.period > a
                ],
            }
        )
    anchored = scenario.model_copy(
        update={
            "horizon": horizon,
            "products": products,
            "suppliers": suppliers,
            "presale": _open_presale(scenario, actuals),
            "demand": Demand(
                scenarios=[
                    DemandScenario(
                        name=name,
                        probability=float(p),
                        nodes=nodes.get(name, []),
                        units={
                            pid: future.units[w, i, a:].tolist()
                            for i, pid in enumerate(scenario.product_ids)
                        },
                    )
                    for w, (name, p) in enumerate(
                        zip(future.names, future.probabilities, strict=True)
                    )
                ]
            ),
            "reveal_period": reveal,
            "later_reveal_periods": later,
            "tree_branching": [],
            "cash": cash,
            "inbound": _inbound(scenario, actuals) + _returns_on_their_way(scenario, actuals),
            "levers": reanchor_levers(scenario.levers, a),
        }
    )
    # Validated again: the cross-checks of the schema hold for the re-anchored season too.
    return Scenario.model_validate(anchored.model_dump())


def _signal_tree(
    scenario: Scenario, future: DemandScenarios, a: int, reveal: int | None
) -> tuple[list[int], dict[str, list[str]]]:
    """Returns the reveal points still ahead of a signal tree and the nodes of the updated futures.

    The updated futures are grouped as the season's sampled futures are (``grouped_nodes``), by
    the demand seen after period a before each node stage still ahead; the first such stage
    splits into as many nodes as the season had then, each later one as the season did.

    Returns:
        ``(later reveal periods, nodes per future name)``, as ``shifted_tree``.
    """
    if reveal is None or scenario.reveal_period is None:
        return [], {}
    later, levels = stages_ahead(scenario, a, reveal)
    if not later:
        return [], {}
    branching = scenario.tree_branching
    split = [math.prod(branching[: levels[0] + 1]), *(branching[k] for k in levels[1:])]
    tree = scenario.model_copy(
        update={"reveal_period": reveal, "later_reveal_periods": later, "tree_branching": split}
    )
    ahead = DemandScenarios(future.units[:, :, a:], future.probabilities, future.names)
    stages = grouped_nodes(tree, ahead) or []
    return later, {
        name: [names[node[w]] for _, _, node, names in stages]
        for w, name in enumerate(future.names)
    }


def _unsupported(scenario: Scenario, actuals: Actuals) -> list[Problem]:
    """Returns what the actuals cannot state for this scenario (so the replan would guess)."""
    a = actuals.as_of_period
    problems = []
    if scenario.cash is not None and actuals.cash is None:
        message = "the scenario tracks cash: state the cash on hand at the as-of period"
        problems.append(Problem(("cash",), message))
    if scenario.materials:
        message = (
            "the scenario has materials, whose stock and orders the actuals cannot state yet; "
            "replan a season without materials"
        )
        problems.append(Problem(("scenario",), message))
    cash = scenario.cash
    for loan in cash.loans if cash is not None else []:
        if loan.period <= a < loan.repayment_period:
            message = (
                f"loan {loan.name!r} may have been taken (period {loan.period}) and is not yet "
                "repaid; the actuals cannot state loans yet"
            )
            problems.append(Problem(("scenario",), message))
    return problems


def _later_prices(terms: SupplyTerms, a: int) -> SupplyTerms:
    """Returns supply terms with their prices by period (and their tiers') from period a + 1."""

    def later(value: float | list[float] | None) -> float | list[float] | None:
        return value[a:] if isinstance(value, list) else value

    tiers = [
        tier.model_copy(update={"unit_cost": later(tier.unit_cost)})
        for tier in terms.discount_tiers
    ]
    return terms.model_copy(update={"unit_cost": later(terms.unit_cost), "discount_tiers": tiers})


def _open_presale(scenario: Scenario, actuals: Actuals) -> list[PresaleOrder]:
    """Returns the presale orders of the periods left: open promises and later presales.

    Units shipped so far are taken off a style's presale orders in the order they are due.
    An open promise keeps its due period (at least the first period left) and its lateness rule;
    its deposits are already in the cash, so it brings only its balance.
    """
    a = actuals.as_of_period
    prices = {p.id: p.price for p in scenario.products}
    shipped: dict[str, float] = defaultdict(float)
    for item in actuals.presale:
        shipped[item.product] += item.shipped
    taken = [
        (
            order,
            order.quantity * order.conversion_rate,
        )
        for order in scenario.presale
        if order.period <= a
    ]
    latest = {order.product: order for order, _ in taken}
    for item in actuals.presale:
        if item.taken > 0:
            terms = latest.get(item.product)
            conversion = 1.0 if terms is None else terms.conversion_rate
            promise = 0 if terms is None else terms.promise_periods
            extra = PresaleOrder(
                product=item.product,
                period=item.period,
                quantity=item.taken,
                price=prices[item.product] if terms is None else terms.price,
                conversion_rate=conversion,
                promise_periods=promise,
            )
            taken.append((extra, item.taken * conversion))
    taken.sort(key=lambda pair: _due(pair[0]))
    orders: list[PresaleOrder] = []
    for order, units in taken:
        done = min(units, shipped[order.product])
        shipped[order.product] -= done
        left = units - done
        if left <= 1e-9:
            continue
        price = order.price if order.price is not None else prices[order.product]
        expansion = order.deposit if order.deposit_expansion is None else order.deposit_expansion
        balance = order.balance_period if order.balance_period is not None else order.period
        ship_from = max(balance - a, 1)
        orders.append(
            PresaleOrder(
                product=order.product,
                period=1,
                quantity=left,
                price=max(price - expansion, 0.0),
                conversion_rate=1.0,
                balance_period=ship_from,
                promise_periods=max(_due(order) - a - ship_from, 0),
                lateness=order.lateness,
                late_cost=order.late_cost,
            )
        )
    for order in scenario.presale:
        if order.period > a:
            shifted = order.model_copy(update={"period": order.period - a})
            if order.balance_period is not None:
                shifted.balance_period = order.balance_period - a
            orders.append(shifted)
    return orders


def _due(order: PresaleOrder) -> int:
    """Returns the season period a presale order is due by."""
    start = order.balance_period if order.balance_period is not None else order.period
    return start + order.promise_periods


def _inbound(scenario: Scenario, actuals: Actuals) -> list[InboundOrder]:
    """Returns the actual orders still to arrive, and money still owed for delivered ones."""
    a = actuals.as_of_period
    periods = scenario.horizon.periods - a
    suppliers = {s.id: s for s in scenario.suppliers}
    inbound: list[InboundOrder] = []
    for order in actuals.orders:
        supplier = suppliers[order.supplier]
        terms = next(t for t in supplier.terms if order.product in t.product_ids)
        price = terms.unit_cost
        if isinstance(price, list):
            price = price[order.period - 1]
        cost = order.units * _unit_cost(scenario, price, terms.cost_factor, order.product)
        upfront = supplier.payment.upfront_share * cost
        paid = order.paid if order.paid is not None else upfront
        owed = max(cost - paid, 0.0)
        pay_at = order.arrival_period + supplier.payment.balance_lag_periods - a
        arrives = order.arrival_period - a
        if arrives < 1 and (owed <= 0 or pay_at < 1):
            continue
        if order.paid is not None:
            pay_at = max(pay_at, 1)
        inside = 1 <= pay_at <= periods
        inbound.append(
            InboundOrder(
                supplier=order.supplier,
                product=order.product,
                units=order.units * (1 - supplier.defect_rate) if arrives >= 1 else 0.0,
                arrival_period=max(arrives, 1),
                payment_due=owed if inside else 0.0,
                payment_period=pay_at if inside else None,
                placed_period=order.period - a,
                order_value=cost if arrives >= 1 else None,
            )
        )
    return inbound


def _returns_on_their_way(scenario: Scenario, actuals: Actuals) -> list[InboundOrder]:
    """Returns the expected customer returns of sales up to a that arrive after a."""
    a = actuals.as_of_period
    spot_rate = spot_return_rates(scenario)
    products = {p.id: (i, p) for i, p in enumerate(scenario.products)}
    presale_price = {o.product: o.price for o in scenario.presale if o.price is not None}
    sold: list[tuple[str, int, float, float, float | None]] = [
        (s.product, s.period, s.units, float(spot_rate[products[s.product][0], s.period - 1]), None)
        for s in actuals.sales
    ]
    sold += [
        (
            s.product,
            s.period,
            s.shipped,
            products[s.product][1].return_rate,
            presale_price.get(s.product),
        )
        for s in actuals.presale
    ]
    returns: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for product_id, period, units, rate, price in sold:
        product = products[product_id][1]
        arrives = period + product.return_lag_periods - a
        if arrives < 1 or arrives > scenario.horizon.periods - a or units * rate <= 0:
            continue
        refund = (product.price if price is None else price) + product.return_handling_cost
        entry = returns[product_id, arrives]
        entry[0] += units * rate * product.resellable_share
        entry[1] += units * rate * refund
    return [
        InboundOrder(
            product=product_id,
            units=units,
            arrival_period=arrives,
            payment_due=refunds,
            payment_period=arrives,
        )
        for (product_id, arrives), (units, refunds) in sorted(returns.items())
    ]


def _unit_cost(
    scenario: Scenario, unit_cost: float | None, factor: float | None, product_id: str
) -> float:
    if unit_cost is not None:
        return unit_cost
    base = next(p.base_cost for p in scenario.products if p.id == product_id)
    return float(factor or 0.0) * float(base or 0.0)


__all__ = ["realised_sales", "reanchor", "updated_demand"]
