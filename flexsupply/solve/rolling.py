"""The rolling policy: replan every K periods from the actuals of a sampled season.

For each demand sample (one whole season), the season is played in steps of K periods. The
current plan's first stage (its orders before its reveal period, K periods after each replan)
is placed, and the K periods are played against the sample's demand: sales, presale shipments,
stock and cash come from the best recourse with those orders fixed. What happened becomes the
``Actuals`` of the step, the season is re-anchored at it (``reanchor``: stock, cash, orders in
transit, open presale, demand updated from the sales) and planned again. After the last replan
the season is scored as a static plan is: every order placed so far and the last plan's first
stage fixed, the rest (the last reorders, sales, stock) by the best recourse on the sample.

With K at least the horizon nothing is replanned, and a sample scores exactly as the static
policy does in ``simulate``.
"""

from __future__ import annotations

import itertools
import math
import os
from typing import Any

import numpy as np

from flexsupply.backends import Status
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.errors import SolveError
from flexsupply.model.build import FirstStage, first_stage_of
from flexsupply.plan import Order, Plan, make_plan
from flexsupply.scenario import Scenario
from flexsupply.scenario.actuals import Actuals, PresaleActual, PurchaseOrderActual, SpotSale
from flexsupply.solve.deadline import Deadline, TimeLimitReached
from flexsupply.solve.executors import run_chunks
from flexsupply.solve.reanchor import reanchor
from flexsupply.solve.rolling_replan import REPLAN_SCENARIOS, replan_demand, solve_replan
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.stochastic import Outcome, outcome_of, risk_neutral, solve_program

ROUND_OFF = 1e-6
"""A played stock this far below zero is the solver's round-off: it is read as 0 [units]."""

_Job = tuple[
    Scenario,
    FirstStage,
    np.ndarray,
    list[str],
    int,
    SolveSettings,
    float | None,
    float | None,
    int | None,
]


def _first_stage(scenario: Scenario, orders: list[dict[str, Any]]) -> FirstStage:
    # Imported here: simulate builds on this module's policy.
    from flexsupply.solve.simulate import first_stage_from_orders

    return first_stage_from_orders(scenario, orders)


def _order_rows(
    orders: list[Order], offset: int, until: int, placed: bool = False
) -> list[dict[str, Any]]:
    """Returns the orders of periods 1..until of a plan as rows, in season periods.

    With ``placed`` the orders were placed, whatever scenario they were planned for: they
    become shared orders.
    """
    return [
        {
            "supplier": o.supplier,
            "product": o.product,
            "period": o.period + offset,
            "arrival_period": o.arrival_period + offset,
            "quantity": o.quantity,
            "tier": o.tier,
            "scenario": None if placed else o.scenario,
        }
        for o in orders
        if o.period <= until and o.quantity > 0
    ]


def _units(value: float) -> float:
    """Returns a played quantity with the solver's round-off below zero taken off [units]."""
    return 0.0 if -ROUND_OFF < value < 0.0 else value


def _actuals(
    season: Scenario,
    played: Plan,
    demand: np.ndarray,
    history: dict[str, Any],
    offset: int,
    every: int,
) -> Actuals:
    """Adds K played periods to the history and returns the actuals at their end."""
    for i, product in enumerate(season.product_ids):
        for t in range(every):
            sold = float(played.sales[0, i, t])
            history["sales"].append(
                SpotSale(
                    product=product,
                    period=offset + t + 1,
                    units=sold,
                    sold_out=bool(sold < demand[i, t] - 1e-6),
                )
            )
    for service in played.presale:
        for t in range(every):
            if service.shipped_by_period[t] > 1e-9:
                history["presale"].append(
                    PresaleActual(
                        product=service.product,
                        period=offset + t + 1,
                        shipped=service.shipped_by_period[t],
                    )
                )
    history["orders"] += _order_rows(played.orders, offset, every, placed=True)
    as_of = offset + every
    return Actuals(
        scenario=season.name,
        as_of_period=as_of,
        stock={
            p: _units(float(played.inventory[0, i, every - 1]))
            for i, p in enumerate(played.products)
        },
        cash=None if played.cash is None else float(played.cash[0, every - 1]),
        sales=list(history["sales"]),
        presale=list(history["presale"]),
        orders=[
            PurchaseOrderActual(
                supplier=o["supplier"],
                product=o["product"],
                units=o["quantity"],
                period=o["period"],
                arrival_period=o["arrival_period"],
            )
            for o in history["orders"]
        ],
    )


def play_rolling(
    season: Scenario,
    first_stage: FirstStage,
    demand: np.ndarray,
    name: str,
    every: int,
    settings: SolveSettings,
    deadline: Deadline,
    replan_seconds: float | None = None,
    replan_scenarios: int | None = REPLAN_SCENARIOS,
) -> Outcome:
    """Plays one sampled season under the rolling policy.

    Args:
        season: the season's scenario (risk and service targets are left out, as in
            ``solve_each``).
        first_stage: the season plan's first stage.
        demand: the sample's spot demand, shape ``(n_products, T)`` [units].
        name: the sample's name.
        every: K, periods between replans.
        settings: solver settings of every solve (the replans' and the plays').
        deadline: every solve gets the time left on it.
        replan_seconds: each replan stops after this long with its best plan (None: when
            proven within the gap, or at ``deadline``) [seconds].
        replan_scenarios: demand scenarios each replan keeps at most (``replan_demand``; None:
            the scenario's own count).

    Returns:
        The sample's ``Outcome`` over the whole season (nan without a feasible play).

    Raises:
        TimeLimitReached: no time is left for a solve.
        SolveError: a replan finds no plan.
    """
    plain = risk_neutral(season, keep_service=False)
    periods = season.horizon.periods
    current, first, offset = plain, first_stage, 0
    history: dict[str, Any] = {"sales": [], "presale": [], "orders": []}
    plan_orders: list[Order] = []
    while offset + every < periods:
        sample = DemandScenarios(demand[None, :, offset:], np.ones(1), [name])
        result, model = solve_program(current, sample, settings, deadline, first)
        if not result.status.has_plan:
            return outcome_of(current, model, result)
        played = make_plan(current, model, result)
        actuals = _actuals(plain, played, demand[:, offset:], history, offset, every)
        offset += every
        future = replan_demand(plain, actuals, replan_scenarios)
        anchored = reanchor(plain, actuals, demand=future, reveal_after=every)
        current = risk_neutral(anchored, keep_service=False)
        result, model = solve_replan(
            current, demand_scenarios(current), settings, deadline.sub(replan_seconds)
        )
        if not result.status.has_plan:
            raise SolveError(
                f"No replan of sample {name!r} after period {offset}", str(result.status)
            )
        plan_orders = make_plan(current, model, result).orders
        # The replan's cancellations and campaigns hold in the play, not chosen with hindsight.
        first = first_stage_of(model, result.x, current)
    if offset == 0:
        final, fixed = plain, first
    else:
        last = current.reveal_period
        final = plain.model_copy(update={"reveal_period": None if last is None else offset + last})
        fixed = _first_stage(final, history["orders"] + _order_rows(plan_orders, offset, periods))
    sample = DemandScenarios(demand[None], np.ones(1), [name])
    result, model = solve_program(final, sample, settings, deadline, fixed)
    return outcome_of(final, model, result)


def _play_chunk(job: _Job, deadline: Deadline | None = None) -> list[Outcome]:
    """Plays each sample of a chunk (a worker's unit of work).

    A worker process starts its own deadline from the seconds left when the chunk was sent. A
    sample whose replan finds no plan (in its time, or at all) gets an outcome without a plan
    whose status says why, and the other samples go on.
    """
    season, first_stage, units, names, every, settings, seconds_left, replan_seconds, kept = job
    deadline = deadline or Deadline(seconds_left)
    outcomes = []
    nan = math.nan
    for w, name in enumerate(names):
        try:
            outcomes.append(
                play_rolling(
                    season,
                    first_stage,
                    units[w],
                    name,
                    every,
                    settings,
                    deadline,
                    replan_seconds,
                    kept,
                )
            )
        except TimeLimitReached:
            outcomes.append(Outcome(str(Status.NO_SOLUTION), nan, nan, nan, nan, nan, nan))
        except SolveError as error:
            outcomes.append(Outcome(error.status, nan, nan, nan, nan, nan, nan))
    return outcomes


def rolling_outcomes(
    season: Scenario,
    first_stage: FirstStage,
    futures: DemandScenarios,
    every: int,
    settings: SolveSettings,
    deadline: Deadline,
    workers: int | None = None,
    dask: str | None = None,
    replan_seconds: float | None = None,
    replan_scenarios: int | None = REPLAN_SCENARIOS,
) -> list[Outcome]:
    """Plays every sample under the rolling policy, in ``workers`` processes or on Dask.

    ``dask`` is a scheduler address or ``local`` (``executors.run_chunks``); each replan stops
    after ``replan_seconds`` with its best plan and keeps at most ``replan_scenarios`` demand
    scenarios (``play_rolling``).

    A sample reached when no time is left on ``deadline`` is not played: its outcome says
    ``no_solution``.

    Returns:
        One ``Outcome`` per sample, in sample order (independent of ``workers``).
    """
    n = futures.n_scenarios
    workers = max(1, min(workers or os.cpu_count() or 1, n))
    bounds = np.linspace(0, n, workers * 4 + 1 if workers > 1 else 2).round().astype(int)
    spans = [(a, b) for a, b in itertools.pairwise(int(v) for v in bounds) if b > a]
    jobs: list[_Job] = [
        (
            season,
            first_stage,
            futures.units[a:b],
            futures.names[a:b],
            every,
            settings,
            deadline.left(),
            replan_seconds,
            replan_scenarios,
        )
        for a, b in spans
    ]
    if workers == 1 and dask is None:
        return [o for job in jobs for o in _play_chunk(job, deadline)]
    return [o for chunk in run_chunks(_play_chunk, jobs, workers, dask) for o in chunk]


__all__ = ["play_rolling", "rolling_outcomes"]
