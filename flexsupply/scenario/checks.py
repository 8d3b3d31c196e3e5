"""Checks across scenario blocks (ids that must exist, lengths that must match the horizon)."""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flexsupply.errors import Problem
from flexsupply.scenario.base import id_key

if TYPE_CHECKING:
    from flexsupply.scenario.schema import Scenario, SupplyTerms
    from flexsupply.scenario.signals import TimeProfile

PROBABILITY_TOLERANCE = 1e-6


def unknown_message(kind: str, value: str, known: Iterable[str]) -> str:
    """Returns ``unknown KIND 'value'``, with the closest of ``known`` as a "did you mean"."""
    message = f"unknown {kind} {value!r}"
    close = difflib.get_close_matches(value, list(known), n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message


def period_list_problems(
    values: list[float], periods: int, loc: tuple[str | int, ...], what: str
) -> list[Problem]:
    """Returns the problem of a per-period list without one value per period.

    The list ``what`` at ``loc`` has no problem when it has ``periods`` values.
    """
    if len(values) == periods:
        return []
    return [
        Problem(loc, f"{what} needs one value per period: expected {periods}, got {len(values)}")
    ]


def multiple_problem(multiple: float, moq: float, maximum: float | None) -> str | None:
    """Returns why an order multiple leaves no order size, or None when some size fits.

    Orders must be whole multiples of ``multiple`` [units], at least ``moq`` and at most
    ``maximum``; the message names the fields that clash.

    Returns:
        The message, or None when at least one positive order size is allowed.
    """
    smallest = math.ceil(moq / multiple - 1e-9) * multiple if moq > 0 else multiple
    if maximum is None or smallest <= maximum + 1e-9:
        return None
    if moq > multiple:
        return (
            f"order_multiple {multiple:g} with moq {moq:g} needs orders of at least "
            f"{smallest:g}, above max_per_order {maximum:g}: no order size is allowed"
        )
    return (
        f"order_multiple {multiple:g} is above max_per_order {maximum:g}: no order size is allowed"
    )


def duplicate_id_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Returns a problem at every repeated ``id`` in the raw ``products`` and ``suppliers`` lists.

    Works on the data before validation, so that a repeated id is pointed at where it repeats.
    Ids that differ only by case, spaces, Unicode form or invisible characters (``id_key``)
    count as repeated: a person cannot tell them apart in a table.

    Args:
        data: The scenario as read from YAML.

    Returns:
        One problem per item whose id an earlier item of the same list already has.
    """
    problems: list[Problem] = []
    for block in ("products", "suppliers"):
        items = data.get(block)
        if not isinstance(items, list):
            continue
        first: dict[str, tuple[int, str]] = {}
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, Mapping) else None
            if not isinstance(item_id, str):
                continue
            key = id_key(item_id)
            if key in first:
                earlier, spelt = first[key]
                message = f"id {item_id!r} is already used by {block}[{earlier}]"
                if spelt != item_id:
                    message += (
                        f" as {spelt!r}: ids may not differ only by case, spaces, Unicode form "
                        "or invisible characters"
                    )
                problems.append(Problem((block, index, "id"), message))
            else:
                first[key] = (index, item_id)
    return problems


def unknown_product_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Returns a problem at every product id used but not defined, read from raw YAML data.

    Used when other problems stop validation, so that a misspelt id is reported in the same run
    as a wrong type. Only well-formed ids are looked at; the rest is validation's job.

    Args:
        data: The scenario as read from YAML.

    Returns:
        One problem per unknown product id in supplier terms, presale orders and demand tables.
    """
    products = data.get("products")
    known = [
        item["id"]
        for item in (products if isinstance(products, list) else [])
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    ]
    used: list[tuple[tuple[str | int, ...], Any]] = []
    suppliers = data.get("suppliers")
    for s_index, supplier in enumerate(suppliers if isinstance(suppliers, list) else []):
        terms = supplier.get("terms") if isinstance(supplier, Mapping) else None
        for t_index, term in enumerate(terms if isinstance(terms, list) else []):
            if not isinstance(term, Mapping):
                continue
            loc: tuple[str | int, ...] = ("suppliers", s_index, "terms", t_index)
            used.append(((*loc, "product"), term.get("product")))
            listed = term.get("products")
            for position, product_id in enumerate(listed if isinstance(listed, list) else []):
                used.append(((*loc, "products", position), product_id))
    presale = data.get("presale")
    for r_index, order in enumerate(presale if isinstance(presale, list) else []):
        if isinstance(order, Mapping):
            used.append((("presale", r_index, "product"), order.get("product")))
    demand = data.get("demand")
    if isinstance(demand, Mapping):
        tables: list[tuple[tuple[str | int, ...], Any]] = [
            (("demand", "units"), demand.get("units"))
        ]
        futures = demand.get("scenarios")
        for w_index, future in enumerate(futures if isinstance(futures, list) else []):
            if isinstance(future, Mapping):
                tables.append((("demand", "scenarios", w_index, "units"), future.get("units")))
        for form in ("signals", "parametric"):
            block = demand.get(form)
            if isinstance(block, Mapping):
                tables.append((("demand", form, "products"), block.get("products")))
        for loc, table in tables:
            if isinstance(table, Mapping):
                used += [((*loc, key), key) for key in table]
    return [
        Problem(loc, unknown_message("product", value, known))
        for loc, value in used
        if isinstance(value, str) and value not in known
    ]


def reference_problems(scenario: Scenario) -> list[Problem]:
    """Returns every cross-reference problem of a scenario whose blocks are each valid.

    Returns:
        Problems located by field path (no file positions yet); empty when the scenario is sound.
    """
    periods = scenario.horizon.periods
    product_by_id = {product.id: product for product in scenario.products}
    problems: list[Problem] = []

    for s_index, supplier in enumerate(scenario.suppliers):
        if isinstance(supplier.capacity, list):
            problems += period_list_problems(
                supplier.capacity, periods, ("suppliers", s_index, "capacity"), "capacity"
            )
        covered: set[str] = set()
        for t_index, terms in enumerate(supplier.terms):
            loc: tuple[str | int, ...] = ("suppliers", s_index, "terms", t_index)
            field = "product" if terms.product is not None else "products"
            for position, product_id in enumerate(terms.product_ids):
                where = (*loc, field) if field == "product" else (*loc, field, position)
                product = product_by_id.get(product_id)
                if product is None:
                    problems.append(
                        Problem(where, unknown_message("product", product_id, product_by_id))
                    )
                    continue
                if product_id in covered:
                    problems.append(
                        Problem(
                            where, f"supplier {supplier.id!r} has terms for {product_id!r} twice"
                        )
                    )
                covered.add(product_id)
                if terms.cost_factor is not None and product.base_cost is None:
                    problems.append(
                        Problem(
                            (*loc, "cost_factor"),
                            f"cost_factor needs a base_cost on product {product_id!r}",
                        )
                    )
            if terms.order_multiple is not None:
                clash = multiple_problem(terms.order_multiple, terms.moq, terms.max_per_order)
                if clash is not None:
                    problems.append(Problem((*loc, "order_multiple"), clash))
            if isinstance(terms.unit_cost, list):
                problems += period_list_problems(
                    terms.unit_cost, periods, (*loc, "unit_cost"), "unit_cost"
                )
            for k_index, tier in enumerate(terms.discount_tiers):
                if isinstance(tier.unit_cost, list):
                    problems += period_list_problems(
                        tier.unit_cost,
                        periods,
                        (*loc, "discount_tiers", k_index, "unit_cost"),
                        "unit_cost",
                    )
            problems += _order_size_problems(terms, loc)
            minimums = [tier.min_quantity for tier in terms.discount_tiers]
            if any(later <= earlier for earlier, later in itertools.pairwise(minimums)):
                problems.append(
                    Problem(
                        (*loc, "discount_tiers"),
                        f"tiers must have increasing min_quantity, got {minimums}",
                    )
                )

    for r_index, order in enumerate(scenario.presale):
        if order.product not in product_by_id:
            problems.append(
                Problem(
                    ("presale", r_index, "product"),
                    unknown_message("product", order.product, product_by_id),
                )
            )
        if order.period > periods:
            problems.append(
                Problem(
                    ("presale", r_index, "period"),
                    f"must be within the horizon 1..{periods}, got {order.period}",
                )
            )

    problems += _demand_problems(scenario, product_by_id.keys())
    problems += _signal_problems(scenario, product_by_id.keys())

    if scenario.reveal_period is not None and scenario.reveal_period > periods:
        problems.append(
            Problem(
                ("reveal_period",),
                f"must be within the horizon 1..{periods}, got {scenario.reveal_period}",
            )
        )
    return problems


def _order_size_problems(terms: SupplyTerms, loc: tuple[str | int, ...]) -> list[Problem]:
    """Returns a problem when no order can meet the terms' MOQ or reach a discount tier.

    Returns:
        One problem for an MOQ above ``max_per_order``, one per tier above it.
    """
    largest = terms.max_per_order
    if largest is None:
        return []
    problems = []
    if terms.moq > largest:
        message = (
            f"moq ({terms.moq:g}) is above max_per_order ({largest:g}): no order can meet both"
        )
        problems.append(Problem((*loc, "moq"), message))
    for index, tier in enumerate(terms.discount_tiers):
        if tier.min_quantity > largest:
            message = (
                f"min_quantity ({tier.min_quantity:g}) is above max_per_order ({largest:g}): "
                "no order can reach this tier"
            )
            problems.append(Problem((*loc, "discount_tiers", index, "min_quantity"), message))
    return problems


def presale_problems(scenario: Scenario) -> list[Problem]:
    """Returns the presale and loan problems that need the horizon or the product's price.

    Returns:
        One problem per balance period or due period after the horizon, and per deposit or
        deposit expansion above the product's price (for orders without a price of their own).
    """
    prices = {product.id: (p, product.price) for p, product in enumerate(scenario.products)}
    periods = scenario.horizon.periods
    problems: list[Problem] = []
    loans = scenario.cash.loans if scenario.cash is not None else []
    for k, loan in enumerate(loans):
        for field in ("period", "repayment_period"):
            value = getattr(loan, field)
            if value > periods:
                message = f"must be within the horizon 1..{periods}, got {value}"
                problems.append(Problem(("cash", "loans", k, field), message))
    for r, order in enumerate(scenario.presale):
        if order.balance_period is not None and order.balance_period > periods:
            message = f"must be within the horizon 1..{periods}, got {order.balance_period}"
            problems.append(Problem(("presale", r, "balance_period"), message))
        ship_from = order.period if order.balance_period is None else order.balance_period
        if ship_from <= periods < ship_from + order.promise_periods:
            start = "period" if order.balance_period is None else "balance_period"
            message = (
                f"the order is due in period {ship_from + order.promise_periods} ({start} "
                f"{ship_from} + promise_periods {order.promise_periods}), after the horizon "
                f"1..{periods}: lengthen horizon.periods or shorten the promise"
            )
            problems.append(Problem(("presale", r, "promise_periods"), message))
        if order.price is not None or order.product not in prices:
            continue
        p, price = prices[order.product]
        for field, value in (
            ("deposit", order.deposit),
            ("deposit_expansion", order.deposit_expansion),
        ):
            if value is not None and value > price:
                message = (
                    f"{field} ({value:g}) must not exceed the price ({price:g}, the price of "
                    f"{order.product}): the balance would be negative (products[{p}].price)"
                )
                problems.append(Problem(("presale", r, field), message))
    return problems


def _demand_problems(scenario: Scenario, product_ids: Iterable[str]) -> list[Problem]:
    periods = scenario.horizon.periods
    known = set(product_ids)
    problems: list[Problem] = []
    tables: list[tuple[tuple[str | int, ...], dict[str, list[float]]]] = []
    if scenario.demand.units is not None:
        tables.append((("demand", "units"), scenario.demand.units))
    if scenario.demand.scenarios is not None:
        names: dict[str, tuple[int, str]] = {}
        for w_index, future in enumerate(scenario.demand.scenarios):
            loc: tuple[str | int, ...] = ("demand", "scenarios", w_index)
            tables.append(((*loc, "units"), future.units))
            key = id_key(future.name)
            if key in names:
                earlier, spelt = names[key]
                same = "" if spelt == future.name else f" (as {spelt!r})"
                message = (
                    f"scenario name {future.name!r} appears twice: "
                    f"demand.scenarios[{earlier}].name{same}"
                )
                problems.append(Problem((*loc, "name"), message))
            names.setdefault(key, (w_index, future.name))
        total = math.fsum(future.probability for future in scenario.demand.scenarios)
        if abs(total - 1.0) > PROBABILITY_TOLERANCE:
            problems.append(
                Problem(("demand", "scenarios"), f"probabilities must add up to 1, got {total:g}")
            )
    for loc, table in tables:
        for product_id, values in table.items():
            if product_id not in known:
                problems.append(
                    Problem((*loc, product_id), unknown_message("product", product_id, known))
                )
                continue
            problems += period_list_problems(values, periods, (*loc, product_id), "demand")
    return problems


def _signal_problems(scenario: Scenario, product_ids: Iterable[str]) -> list[Problem]:
    """Returns the problems of the ``demand.signals`` block that need the rest of the scenario.

    Returns:
        Unknown product ids, periods beyond the horizon and per-period lists of the wrong length.
    """
    signals = scenario.demand.signals
    if signals is None:
        return []
    periods = scenario.horizon.periods
    known = set(product_ids)
    root: tuple[str | int, ...] = ("demand", "signals")
    problems: list[Problem] = []

    def period_in_horizon(period: int, loc: tuple[str | int, ...]) -> None:
        if period > periods:
            problems.append(Problem(loc, f"must be within the horizon 1..{periods}, got {period}"))

    def profile_problems(profile: TimeProfile | None, loc: tuple[str | int, ...]) -> None:
        if profile is None:
            return
        if profile.weights is not None:
            problems.extend(
                period_list_problems(profile.weights, periods, (*loc, "weights"), "weights")
            )
        period_in_horizon(profile.peak_period, (*loc, "peak_period"))

    profile_problems(signals.profile, (*root, "profile"))
    for e_index, event in enumerate(signals.events):
        period_in_horizon(event.period, (*root, "events", e_index, "period"))
    for product_id, product in signals.products.items():
        loc: tuple[str | int, ...] = (*root, "products", product_id)
        if product_id not in known:
            problems.append(Problem(loc, unknown_message("product", product_id, known)))
            continue
        search = product.channels.search
        for field in ("impressions", "clicks"):
            values = getattr(search, field, None)
            if isinstance(values, list):
                where = (*loc, "channels", "search", field)
                problems += period_list_problems(values, periods, where, field)
        channels = product.channels
        timed = [
            ("livestreams", index, live.period) for index, live in enumerate(channels.livestreams)
        ]
        timed += [("posts", index, wave.period) for index, wave in enumerate(channels.posts)]
        for kind, index, period in timed:
            period_in_horizon(period, (*loc, "channels", kind, index, "period"))
        for e_index, event in enumerate(product.events):
            period_in_horizon(event.period, (*loc, "events", e_index, "period"))
        profile_problems(product.profile, (*loc, "profile"))
    return problems
