"""Why a scenario has no plan, in business words: solve the elastic model and read its shortfalls."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends import get_backend
from flexsupply.demand import DemandScenarios
from flexsupply.model import ModelMap, build_program
from flexsupply.scenario import Scenario
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.settings import SolveSettings

SHORTFALL_TOLERANCE = 1e-4
"""Shortfalls below this are read as none [units or currency]."""


def _argmax(values: np.ndarray) -> tuple[int, int]:
    """Returns the (row, column) of the largest entry of a 2-D array."""
    row, column = np.unravel_index(int(np.argmax(values)), values.shape)
    return int(row), int(column)


def _sources(scenario: Scenario, model: ModelMap, product: int, deadline: int) -> str:
    """Returns who can supply ``product`` by 0-based period ``deadline``, in words."""
    opts = model.data.options
    fast = opts.supplier[(opts.product == product) & (opts.lead_time <= deadline)]
    names = sorted({scenario.supplier_ids[int(s)] for s in fast})
    stock = (
        "the stock on hand"
        if model.data.products.initial_stock[product] > 0
        else "no stock on hand"
    )
    if not (opts.product == product).any():
        return f"no supplier makes {scenario.product_ids[product]} at all and there is {stock}; it"
    if not names:
        return f"no supplier is fast enough and there is {stock}; together they"
    if len(names) == 1:
        return f"the only supplier fast enough ({names[0]}) with {stock}"
    return f"the suppliers fast enough ({', '.join(names[:-1])} and {names[-1]}) with {stock}"


def _period_list(unit: str, periods: list[int]) -> str:
    """Returns 0-based periods as 1-based ranges in words, e.g. ``weeks 1-3 and 5``."""
    runs: list[list[int]] = []
    for t in periods:
        if runs and t == runs[-1][-1] + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    parts = [f"{r[0] + 1}" if len(r) == 1 else f"{r[0] + 1}-{r[-1] + 1}" for r in runs]
    noun = unit if len(periods) == 1 else f"{unit}s"
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"{noun} {text}"


def _capacity_used(model: ModelMap, x: FloatArray, w: int) -> FloatArray:
    """Returns the capacity each order option uses in scenario ``w`` [capacity units].

    Returns:
        Shape ``(n_options, T)``: units ordered times capacity per unit, plus setup time.
    """
    opts = model.data.options
    order, switch = model.orders.order[:, :, w], model.orders.switch[:, :, w]
    quantity = np.where(order >= 0, x[np.maximum(order, 0)], 0.0)
    on = np.where(switch >= 0, x[np.maximum(switch, 0)], 0.0)
    used: FloatArray = quantity * opts.capacity_use[:, None] + on * opts.setup_time[:, None]
    return used


def _booked(
    scenario: Scenario, model: ModelMap, x: FloatArray, product: int, deadline: int, w: int
) -> str:
    """Returns why the suppliers fast enough for ``product`` could not make more, in words.

    Names each supplier that is fully booked in a period whose orders would still arrive by
    0-based period ``deadline``, with the capacity of those periods and the products using it.

    Returns:
        ``"; QR is fully booked in weeks 1-2 (96,000 sewing minutes, used by A and B)"``, or an
        empty string when no fast supplier is fully booked.
    """
    opts, capacity = model.data.options, model.data.suppliers.capacity
    used = _capacity_used(model, x, w)
    clauses: list[str] = []
    mine = (opts.product == product) & (opts.lead_time <= deadline)
    for s in sorted({int(s) for s in opts.supplier[mine]}):
        last = deadline - int(opts.lead_time[mine & (opts.supplier == s)].min())
        cap = capacity[s, : last + 1]
        by_option = used[opts.supplier == s, : last + 1]
        total = by_option.sum(axis=0)
        full = np.isfinite(cap) & (cap > 0) & (total >= cap * (1 - 1e-6) - SHORTFALL_TOLERANCE)
        periods = [int(t) for t in np.flatnonzero(full)]
        if not periods:
            continue
        users = opts.product[opts.supplier == s][by_option[:, periods].sum(axis=1) > 0]
        names = [scenario.product_ids[int(p)] for p in sorted({int(p) for p in users})]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        clauses.append(
            f"{scenario.supplier_ids[s]} is fully booked in "
            f"{_period_list(scenario.horizon.period_length.value, periods)} "
            f"({float(cap[periods].sum()):,.0f} {scenario.suppliers[s].capacity_unit}, "
            f"used by {listed})"
        )
    return "".join(f"; {clause}" for clause in clauses)


def _too_small(scenario: Scenario, model: ModelMap, product: int, deadline: int) -> str:
    """Returns the fast suppliers whose capacity is below one minimum order of ``product``.

    One order must be at least its MOQ, and uses MOQ × capacity per unit plus the setup time
    of the supplier's capacity in the period it is placed; a supplier whose capacity is below
    that in every period that still delivers by 0-based period ``deadline`` cannot make it.

    Returns:
        ``"; QR's MOQ of 600 needs 27,000 sewing minutes in one week, more than its capacity
        (at most 20,000)"`` per such supplier, or an empty string.
    """
    opts, capacity = model.data.options, model.data.suppliers.capacity
    clauses: list[str] = []
    mine = (opts.product == product) & (opts.lead_time <= deadline) & (opts.min_quantity > 0)
    for s in sorted({int(s) for s in opts.supplier[mine]}):
        own = mine & (opts.supplier == s)
        need = float((opts.min_quantity * opts.capacity_use + opts.setup_time)[own].min())
        last = deadline - int(opts.lead_time[own].min())
        cap = capacity[s, : last + 1]
        if cap.size and np.isfinite(cap).all() and need > float(cap.max()) + SHORTFALL_TOLERANCE:
            moq = float(opts.min_quantity[own].min())
            clauses.append(
                f"{scenario.supplier_ids[s]}'s MOQ of {moq:,.0f} needs {need:,.0f} "
                f"{scenario.suppliers[s].capacity_unit} in one "
                f"{scenario.horizon.period_length.value}, more than its capacity (at most "
                f"{float(cap.max()):,.0f}), so it cannot take a single order"
            )
    return "".join(f"; {clause}" for clause in clauses)


def _warehouse_full(scenario: Scenario, model: ModelMap, x: FloatArray, last: int, w: int) -> str:
    """Returns ``"; the warehouse is full (N units) in weeks …"`` up to 0-based period ``last``.

    Returns:
        The clause, or an empty string without a warehouse limit or when it is never full.
    """
    limit = scenario.warehouse.capacity
    if limit is None:
        return ""
    stock = x[model.flows.inventory[:, : last + 1, w]].sum(axis=0)
    full = [int(t) for t in np.flatnonzero(stock >= limit * (1 - 1e-6) - SHORTFALL_TOLERANCE)]
    if not full:
        return ""
    unit = scenario.horizon.period_length.value
    return f"; the warehouse is full ({limit:,.0f} units) in {_period_list(unit, full)}"


def _blocked(
    scenario: Scenario, model: ModelMap, x: FloatArray, product: int, last: int, w: int
) -> str:
    """Returns every clause on what keeps ``product`` from being delivered by ``last``."""
    return (
        _too_small(scenario, model, product, last)
        + _booked(scenario, model, x, product, last, w)
        + _warehouse_full(scenario, model, x, last, w)
    )


def explain_infeasible(
    scenario: Scenario,
    demand: DemandScenarios,
    settings: SolveSettings,
    deadline: Deadline | None = None,
) -> list[str]:
    """Returns sentences naming what cannot be met (product, period, shortfall).

    Solves the elastic model, where presale due dates, forbidden lost sales, the cash floor and
    the warehouse limit may be missed at a penalty, and reports every miss. The engine gets the
    time left on ``deadline`` (default: ``settings.time_limit`` from now).

    Returns:
        One sentence per shortfall, largest first; empty if the elastic model finds none.

    Raises:
        TimeLimitReached: no time is left for the elastic solve.
    """
    deadline = deadline or Deadline(settings.time_limit)
    deadline.check("the explanation")
    program, model = build_program(scenario, demand, elastic=True)
    result = get_backend(settings.backend).solve(program, settings.options(deadline))
    if not result.status.has_plan:
        return [f"the elastic check could not solve either ({result.status}): {result.message}"]
    x = result.x
    unit = scenario.horizon.period_length.value
    names = demand.names
    many = demand.n_scenarios > 1
    reasons: list[tuple[float, str]] = []

    def where(w: int) -> str:
        return f" in scenario {names[w]!r}" if many else ""

    pre = model.data.presale
    short = model.flows.presale_short
    for r in range(short.shape[0]):
        values = x[short[r]]
        w = int(np.argmax(values))
        if values[w] > SHORTFALL_TOLERANCE:
            need = float(pre.units_to_ship[r])
            p = int(pre.product[r])
            last = int(pre.due[r]) if pre.late_forbidden[r] else model.data.n_periods - 1
            due = f"by {unit} {int(pre.due[r]) + 1}"
            if not pre.late_forbidden[r]:
                due += f" (late shipments allowed until {unit} {model.data.n_periods})"
            reasons.append(
                (
                    float(values[w]),
                    f"presale of {scenario.product_ids[p]} taken in {unit} {int(pre.period[r]) + 1} "
                    f"needs {need:,.0f} units {due}; {_sources(scenario, model, p, last)} "
                    f"can deliver only {need - values[w]:,.0f} (short {values[w]:,.0f}){where(w)}"
                    f"{_blocked(scenario, model, x, p, last, w)}",
                )
            )
    forbidden = np.flatnonzero(model.data.products.forbidden)
    sales = x[model.flows.sales]
    for p in (int(index) for index in forbidden):
        gap = demand.units[:, p, :].T - sales[p]
        w = int(np.argmax(gap.sum(axis=0)))
        short_periods = np.flatnonzero(gap[:, w] > SHORTFALL_TOLERANCE)
        if short_periods.size:
            total = float(gap[:, w].sum())
            first = int(short_periods[0])
            reasons.append(
                (
                    total,
                    (
                        f"demand for {scenario.product_ids[p]} must be met in full, but {total:,.0f} units "
                        f"cannot be supplied in time, first in {unit} {first + 1}{where(w)}"
                        f"{_blocked(scenario, model, x, p, first, w)}"
                    ),
                )
            )
    if model.flows.cash_short.size:
        injected = np.cumsum(x[model.flows.cash_short], axis=0)
        t, w = _argmax(injected)
        if injected[t, w] > SHORTFALL_TOLERANCE:
            first = int(np.flatnonzero(injected[:, w] > SHORTFALL_TOLERANCE)[0])
            reasons.append(
                (
                    float(injected[t, w]),
                    (
                        f"cash runs out: the plan needs {injected[t, w]:,.0f} {scenario.horizon.currency} more "
                        f"than the brand has by {unit} {t + 1}, first short in {unit} {first + 1}{where(int(w))}; "
                        "supplier payments fall due before deposits and sales come in"
                    ),
                )
            )
    reasons += _material_reasons(scenario, model, x, unit, where)
    if model.flows.warehouse_short.size:
        over = x[model.flows.warehouse_short]
        t, w = _argmax(over)
        if over[t, w] > SHORTFALL_TOLERANCE:
            reasons.append(
                (
                    float(over[t, w]),
                    (
                        f"the warehouse would hold {over[t, w]:,.0f} units more than its capacity in "
                        f"{unit} {t + 1}{where(int(w))}"
                    ),
                )
            )
    reasons.sort(key=lambda item: -item[0])
    return [text for _, text in reasons]


def _material_reasons(
    scenario: Scenario, model: ModelMap, x: FloatArray, unit: str, where: Callable[[int], str]
) -> list[tuple[float, str]]:
    """Returns one sentence per material that runs short in the elastic plan, with its size.

    The shortfall is counted in pieces of the style that needs most of it, so it weighs against
    the other misses in units.
    """
    short = model.material_columns.short
    if not short.size:
        return []
    mats = model.materials
    conjured = np.cumsum(x[short], axis=1)  # (M, T, Ω): material missing by the end of t
    reasons: list[tuple[float, str]] = []
    for m, material in enumerate(scenario.materials):
        t, w = _argmax(conjured[m])
        amount = float(conjured[m, t, w])
        if amount <= SHORTFALL_TOLERANCE:
            continue
        first = int(np.flatnonzero(x[short[m, :, w]] > SHORTFALL_TOLERANCE)[0])
        users = [scenario.product_ids[p] for p in np.flatnonzero(mats.usage[:, m] > 0)]
        suppliers = sorted({terms.supplier for terms in material.suppliers})
        sources = f"its suppliers ({', '.join(suppliers)})" if suppliers else "no supplier"
        label = material.id if material.name is None else f"{material.id} ({material.name})"
        reasons.append(
            (
                amount / max(float(mats.usage[:, m].max()), 1e-9),
                f"material {label} runs short: the styles cut from it ({', '.join(users)}) "
                f"need {amount:,.0f} {material.unit} more by {unit} {t + 1} than the stock on "
                f"hand and {sources} can deliver in time, first short in {unit} {first + 1}"
                f"{where(int(w))}",
            )
        )
    return reasons
