"""One call from a scenario to a plan: demand → model → backend → plan."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

from flexsupply.arrays import FloatArray
from flexsupply.backends import BACKEND_NAMES, SolverOptions, Status, get_backend
from flexsupply.backends.result import Backend, Progress, SolverResult
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.errors import SolveError
from flexsupply.heuristics import warm_start as find_warm_start
from flexsupply.heuristics.mean_value import mean_value_start, neighbourhoods
from flexsupply.model import ModelMap, build_program
from flexsupply.model.program import LinearProgram
from flexsupply.plan import Plan, make_plan
from flexsupply.scenario import Scenario

WARM_START_SHARE = 0.5
"""Share of the time limit spent on the warm start; the engine gets the rest."""
FIRST_PLAN_SHARE = 0.85
"""Share of the time limit the warm start may spend finding its first plan, when the dive is
slow; fix-and-optimise stops at ``WARM_START_SHARE`` either way."""
WARM_START_SECONDS = 30.0
"""Warm-start budget when it is asked for without a time limit [seconds]."""
MIN_ENGINE_SECONDS = 1.0
"""The engine always gets at least this long after the warm start [seconds]."""

_STATUS_WORDS = {
    Status.INFEASIBLE: "no plan meets every requirement",
    Status.UNBOUNDED: "the profit is unbounded: some quantity has no limit (check salvage values and capacities)",
    Status.NO_SOLUTION: "no plan was found within the time limit; give the solver more time or a larger gap",
    Status.UNKNOWN: "the solver stopped without a plan",
}


def solve(
    scenario: Scenario,
    solver: str = BACKEND_NAMES[0],
    *,
    engine: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    threads: int | None = None,
    seed: int = 0,
    log: bool = False,
    demand: DemandScenarios | None = None,
    stochastic_report: bool = False,
    progress: Callable[[Progress], None] | None = None,
    warm_start: bool | None = None,
) -> Plan:
    """Plans a scenario: builds the model, solves it and reads the plan.

    Args:
        scenario: the validated scenario.
        solver: backend name, ``ortools`` (default) or ``pulp``.
        engine: engine inside the backend (``scip``/``highs`` or ``cbc``/``highs``).
        time_limit: wall-clock limit [seconds] of the whole call (demand sampling, model
            building, warm start and engine; engines stop at their next check, CBC up to a
            few seconds late); the best plan found by then is returned.
        gap: relative optimality gap to stop at (default: prove optimality, 1e-6).
        threads: threads the engine may use.
        seed: random seed of the engine.
        log: show the engine's log.
        demand: demand scenarios to plan for (default: those the scenario states).
        stochastic_report: also compute VSS and EVPI (``plan.stochastic``; several more solves).
        warm_start: find a first plan by LP diving and fix-and-optimise and hand it to the
            engine (``flexsupply/heuristics``). Default: on when ``time_limit`` is set, with
            ``WARM_START_SHARE`` of it; the engine gets the rest. The returned plan is never
            worse than the warm start.
        progress: called with the incumbent and bound while the engine reports them.

    Returns:
        The ``Plan``; its ``status`` is ``optimal`` or ``feasible`` (time limit, with its gap).

    Raises:
        SolveError: no plan exists or none was found; the message says why in business words.
        BackendError: the solver is unknown or not installed.
    """
    options = SolverOptions(
        engine=engine,
        time_limit=time_limit,
        gap=1e-6 if gap is None else gap,
        threads=threads,
        seed=seed,
        log=log,
        progress=progress,
    )
    started = time.perf_counter()
    futures = demand if demand is not None else demand_scenarios(scenario)
    backend = get_backend(solver)
    program, model = build_program(scenario, futures)
    if log:
        for words in model.formulation:
            print(f"formulation: {words}")
    solve_options = options
    if time_limit is not None:
        left = time_limit - (time.perf_counter() - started)
        solve_options = replace(options, time_limit=max(left, MIN_ENGINE_SECONDS))
    result = _solve_with_warm_start(scenario, program, model, backend, solve_options, warm_start)
    if result.status.has_plan:
        plan = make_plan(scenario, model, result)
        if stochastic_report:
            from flexsupply.solve.stochastic import stochastic_report as report

            plan.stochastic = report(scenario, solver, options=options, demand=futures, plan=plan)
        return plan
    reasons: list[str] = []
    if result.status in (Status.INFEASIBLE, Status.UNKNOWN):
        from flexsupply.solve.explain import explain_infeasible

        reasons = explain_infeasible(scenario, futures, solver, options)
        if not reasons:
            reasons = _service_reasons(scenario)
    if result.status == Status.UNKNOWN and not reasons:
        reasons = [f"the solver said: {result.message}"]
    status = Status.INFEASIBLE if result.status == Status.UNKNOWN and reasons else result.status
    raise SolveError(
        f"No plan for {scenario.name!r}: {_STATUS_WORDS[status]}", str(status), reasons
    )


def _solve_with_warm_start(
    scenario: Scenario,
    program: LinearProgram,
    model: ModelMap,
    backend: Backend,
    options: SolverOptions,
    warm_start: bool | None,
) -> SolverResult:
    """Returns the engine's result, started from (and never worse than) a warm start."""
    wanted = options.time_limit is not None if warm_start is None else warm_start
    if not wanted or not program.integer.any():
        return backend.solve(program, options)
    limit = options.time_limit
    budget = WARM_START_SECONDS if limit is None else WARM_START_SHARE * limit
    first_plan_budget = None if limit is None else FIRST_PLAN_SHARE * limit
    began = time.perf_counter()

    def from_mean_demand(deadline: float) -> FloatArray | None:
        return mean_value_start(scenario, model.demand, program, model, deadline, options.seed)

    start = find_warm_start(
        program,
        neighbourhoods(model, program.n_columns),
        budget,
        options.seed,
        first_plan_budget=first_plan_budget,
        other_first_plans=[from_mean_demand],
    )
    if start is None:
        if limit is not None:
            spent = time.perf_counter() - began
            options = replace(options, time_limit=max(limit - spent, MIN_ENGINE_SECONDS))
        return backend.solve(program, options)
    if options.log:
        print(start.summary())
    if limit is not None:
        options = replace(options, time_limit=max(limit - start.seconds, MIN_ENGINE_SECONDS))
    result = backend.solve(program, options, start=start.x)
    extra = {
        **result.extra,
        "warm_start_objective": start.objective,
        "warm_start_seconds": start.seconds,
    }
    seconds = result.seconds + start.seconds
    better = -1.0 if program.maximize else 1.0
    if result.status.has_plan and better * (result.objective - start.objective) <= 1e-9 * max(
        1.0, abs(start.objective)
    ):
        return replace(result, seconds=seconds, extra=extra)
    bound = result.bound if result.status.has_plan else math.nan
    message = f"{result.message}; the warm start's plan is better and kept".lstrip("; ")
    return replace(
        result,
        status=Status.FEASIBLE,
        objective=start.objective,
        bound=bound,
        x=start.x,
        seconds=seconds,
        message=message,
        extra=extra,
    )


def _service_reasons(scenario: Scenario) -> list[str]:
    """Returns the service targets in words, when they are what leaves no plan."""
    service = scenario.service
    if service is None:
        return []
    targets = []
    if service.min_fill_rate is not None:
        targets.append(f"expected fill rate at least {service.min_fill_rate:.0%}")
    if service.min_presale_on_time is not None:
        targets.append(f"presale on time at least {service.min_presale_on_time:.0%}")
    if not targets:
        return []
    return [
        f"every other requirement can be met, but not the service targets ({' and '.join(targets)}) "
        "with these suppliers, lead times and capacities; lower the targets or add a faster supplier"
    ]
