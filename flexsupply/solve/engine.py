"""One call from a scenario to a plan: demand → model → solve method → plan, on one deadline."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Unpack

from flexsupply.backends import (
    DEFAULT_BACKEND,
    Progress,
    SolverResult,
    Status,
    get_backend,
    interrupt,
)
from flexsupply.backends.result import no_plan
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.errors import BackendError, SolveError
from flexsupply.heuristics.whole_groups import WHOLE_SEASON_COLUMNS, round_orders
from flexsupply.heuristics.whole_pieces import INFEASIBLE, INTERRUPTED, TIME_LIMIT, WholePlan
from flexsupply.model import ModelMap, build_program
from flexsupply.model.program import LinearProgram
from flexsupply.plan import Plan, RunRecord, make_plan
from flexsupply.scenario import Scenario
from flexsupply.solve.deadline import Clock, Deadline, TimeLimitReached
from flexsupply.solve.methods import MethodContext, get_method
from flexsupply.solve.profiles import resolve_settings
from flexsupply.solve.progress import BestSoFar
from flexsupply.solve.reorder_rules import rules_profit
from flexsupply.solve.settings import SettingsFlags, SolveSettings

_STATUS_WORDS = {
    Status.INFEASIBLE: "no plan meets every requirement",
    Status.UNBOUNDED: "the profit is unbounded: some quantity has no limit (check salvage values and capacities)",
    Status.NO_SOLUTION: "no plan was found within the time limit",
    Status.UNKNOWN: "the solver stopped without a plan",
}

STOCHASTIC_SKIPPED = "stochastic_report"
"""Key of ``Plan.extra`` saying why the stochastic report was not computed."""


def solve(
    scenario: Scenario,
    solver: str | SolveSettings = DEFAULT_BACKEND,
    *,
    demand: DemandScenarios | None = None,
    stochastic_report: bool = False,
    progress: Callable[[Progress], None] | None = None,
    clock: Clock = time.monotonic,
    deadline: Deadline | None = None,
    **flags: Unpack[SettingsFlags],
) -> Plan:
    """Plans a scenario: builds the model, solves it and reads the plan.

    Args:
        scenario: the validated scenario.
        solver: a ``SolveSettings``, a backend name (``ortools``, the default, or ``pulp``), a
            solver profile name (``fast``, ``exact``, …) or a profile file.
        demand: demand scenarios to plan for (default: those the scenario states).
        stochastic_report: also compute VSS and EVPI (``plan.stochastic``; several more solves,
            within the same time limit; when no time is left ``plan.extra["stochastic_report"]``
            says so).
        progress: called with the best plan's objective and the best bound while solving.
        clock: the clock of the time limit (tests inject one) [seconds].
        deadline: a deadline the caller started earlier (the CLI starts one when the command
            starts, so reading the file counts too); default: ``time_limit`` from now on ``clock``.
        **flags: settings that override ``solver``'s: ``engine``, ``time_limit`` (wall-clock
            seconds for the whole call: sampling, building, warm start, engine and stochastic
            report; the best plan found by then is returned), ``gap`` (relative, default 1e-6),
            ``threads``, ``seed``, ``log``, ``warm_start``, ``method`` (see ``SolveSettings``).

    Returns:
        The ``Plan``; its ``status`` is ``optimal``, ``feasible`` (time limit, with its gap) or
        ``interrupted`` (Ctrl-C inside ``flexsupply.backends.interrupt.interruptible()``: the
        best plan found by then, with its gap).

    Raises:
        SolveError: no plan exists or none was found; the message says why in business words.
        BackendError: the solver is unknown, not installed, or cannot honour the settings
            (raised before any work starts).
    """
    settings = resolve_settings(solver, **flags)
    return solve_within(
        scenario,
        settings,
        deadline or Deadline(settings.time_limit, clock),
        demand=demand,
        stochastic_report=stochastic_report,
        progress=progress,
    )


def solve_within(
    scenario: Scenario,
    settings: SolveSettings,
    deadline: Deadline,
    *,
    demand: DemandScenarios | None = None,
    stochastic_report: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Does ``solve`` with a deadline the caller owns (``simulate`` shares its own).

    Returns:
        The ``Plan`` (see ``solve``).

    Raises:
        SolveError: no plan; BackendError: unusable settings (before any work).
    """
    engine = settings.check()
    started_at, started = datetime.now(UTC), time.perf_counter()
    method = get_method(settings.method)
    futures = demand if demand is not None else demand_scenarios(scenario)
    backend = get_backend(settings.backend)
    program, model = build_program(scenario, futures)
    if program.integer.any() and not engine.mip:
        raise BackendError(
            f"{engine.label} solves no integer programs, and this scenario needs one (order "
            "switches, MOQs or integer orders); choose an engine that does"
        )
    if settings.log:
        for words in model.formulation:
            print(f"formulation: {words}")
    best = BestSoFar(program.maximize, progress)
    whole = scenario.options.whole_pieces or scenario.options.integer_orders
    try:
        result = method(
            program,
            model,
            backend,
            settings,
            _method_deadline(deadline, program, whole),
            MethodContext(scenario, best.update),
        )
    except TimeLimitReached as stop:
        result = no_plan(Status.NO_SOLUTION, deadline.elapsed(), backend.name, "", str(stop))
    result = _stop_in_words(best.tighten(result), settings, deadline)
    if result.status.has_plan:
        if whole:
            result = _in_whole_pieces(program, model, result, settings.effective_gap, deadline)
        plan = make_plan(scenario, model, result)
        if plan.reorder_rules:
            plan.rules_profit = rules_profit(scenario, program, model, result.x, plan.reorder_rules)
        plan.run = RunRecord.since(started_at, started, result)
        if interrupt.requested():
            plan.status = interrupt.INTERRUPTED
        elif stochastic_report:
            _add_stochastic_report(plan, scenario, settings, deadline, futures)
        return plan
    if interrupt.requested():
        raise interrupt.Interrupted(
            f"No plan for {scenario.name!r}: interrupted before one was found"
        )
    raise _no_plan_error(scenario, futures, settings, deadline, result, program)


def _stop_in_words(
    result: SolverResult, settings: SolveSettings, deadline: Deadline
) -> SolverResult:
    """Returns the result with a ``stop`` its gap can have.

    A plan above the gap asked for did not stop on the gap (a method may leave ``stop`` at its
    default): with a time limit, the limit stopped it.
    """
    asked = settings.effective_gap
    above = result.status == Status.FEASIBLE and not result.gap <= asked * (1 + 1e-9)
    if result.stop != "gap" or not above or deadline.limit is None:
        return result
    return replace(result, stop="time_limit")


WHOLE_PIECES_SHARE = 0.05
"""Largest share of the time limit kept for the whole-piece rounding of a program rounded by
groups of styles (above ``WHOLE_SEASON_COLUMNS`` columns)."""
WHOLE_PIECES_SECONDS_PER_COLUMN = 30e-6
"""Time kept for that rounding per column of the program [seconds]: it took 2.7 s on
2000x20x26x1 (about 350,000 columns) at load 7-12, 8 µs a column; this is about 4 times that."""
WHOLE_PIECES_GRACE = 2.0
"""The whole-piece rounding may run this long past the deadline [seconds]: a plan whose orders
are whole is worth a moment more."""


def _method_deadline(deadline: Deadline, program: LinearProgram, whole: bool) -> Deadline:
    """Returns the deadline of the solve method: ``deadline`` less the rounding's share."""
    left = deadline.left()
    if not whole or left is None or program.n_columns <= WHOLE_SEASON_COLUMNS:
        return deadline
    kept = min(
        WHOLE_PIECES_SHARE * (deadline.limit or left),
        WHOLE_PIECES_SECONDS_PER_COLUMN * program.n_columns,
    )
    return deadline.sub(max(left - kept, 0.0))


def _in_whole_pieces(
    program: LinearProgram, model: ModelMap, result: SolverResult, gap: float, deadline: Deadline
) -> SolverResult:
    """Returns the result with every order a whole number of units (``heuristics/whole_pieces``).

    The objective becomes the exact value of the rounded plan; the bound is kept (still valid).
    A plan that was optimal stays so only when the rounded plan is within ``gap`` of the bound.
    Orders left fractional (time limit, or no rounding fits) are said so in the message.
    """
    started = time.perf_counter()
    whole = round_orders(
        program, model.orders.order, result.x, deadline.perf_counter_deadline() + WHOLE_PIECES_GRACE
    )
    seconds = time.perf_counter() - started
    if whole is None:
        message = f"{result.message}; no whole-piece rounding of these orders is feasible"
        return replace(result, message=message.lstrip("; "))
    status = result.status
    if whole.changed and status == Status.OPTIMAL:
        optimal = math.isfinite(result.bound) and abs(result.bound - whole.objective) <= gap * max(
            abs(whole.objective), 1e-9
        )
        status = Status.OPTIMAL if optimal and not whole.fractional else Status.FEASIBLE
    extra = {**result.extra, "fractional_objective": result.objective}
    extra["whole_pieces_seconds"] = seconds
    message = result.message
    if whole.fractional:
        extra["fractional_orders"] = whole.fractional
        message = f"{message}; {_fractional_words(whole)}".lstrip("; ")
    return replace(
        result, status=status, objective=whole.objective, x=whole.x, extra=extra, message=message
    )


def _fractional_words(whole: WholePlan) -> str:
    """Returns why some orders are not whole pieces, in business words."""
    styles = f" of {whole.fractional_styles:,} styles" if whole.fractional_styles else ""
    why = {
        TIME_LIMIT: "the time limit ended the rounding to whole pieces",
        INTERRUPTED: "Ctrl-C ended the rounding to whole pieces",
        INFEASIBLE: "no rounding to whole pieces (nearest, down or up) fits the room the rest "
        "of the plan leaves",
    }[whole.stop]
    return (
        f"{why}: {whole.fractional:,} orders{styles} are still fractional quantities (round "
        "them before sending, or run again with a longer --time-limit); the profit is that of "
        "these quantities and the bound stays valid"
    )


def _add_stochastic_report(
    plan: Plan,
    scenario: Scenario,
    settings: SolveSettings,
    deadline: Deadline,
    demand: DemandScenarios,
) -> None:
    """Sets ``plan.stochastic`` within the time left, and tightens the plan's bound with WS."""
    from flexsupply.solve.stochastic import stochastic_report

    try:
        report = stochastic_report(scenario, settings, demand=demand, plan=plan, deadline=deadline)
    except TimeLimitReached:
        plan.extra[STOCHASTIC_SKIPPED] = "not computed: the time limit was reached"
        return
    plan.stochastic = report
    bound = report.ws_bound
    if bound is None or not math.isfinite(bound):
        return
    sign = 1.0 if report.sense == "max" else -1.0
    if math.isnan(plan.bound) or sign * (plan.bound - bound) > 0:
        plan.bound = bound
        plan.gap = abs(bound - plan.objective) / max(abs(plan.objective), 1e-9)


def _no_plan_error(
    scenario: Scenario,
    demand: DemandScenarios,
    settings: SolveSettings,
    deadline: Deadline,
    result: SolverResult,
    program: LinearProgram,
) -> SolveError:
    """Returns the error for a solve without a plan, with the reasons in business words."""
    reasons: list[str] = []
    if result.status == Status.NO_SOLUTION and deadline.limit is not None:
        reasons = _time_limit_reasons(program, deadline, result)
    if result.status in (Status.INFEASIBLE, Status.UNKNOWN):
        from flexsupply.solve.explain import explain_infeasible

        try:
            reasons = explain_infeasible(scenario, demand, settings, deadline)
        except TimeLimitReached:
            reasons = ["no time was left to find out why"]
        if not reasons:
            reasons = _service_reasons(scenario)
    if result.status == Status.UNKNOWN and not reasons:
        reasons = [f"the solver said: {result.message}"]
    status = Status.INFEASIBLE if result.status == Status.UNKNOWN and reasons else result.status
    return SolveError(
        f"No plan for {scenario.name!r}: {_STATUS_WORDS[status]}", str(status), reasons
    )


FIRST_PLAN_SECONDS = 60.0
"""Time limit that gave spring-drop (12,146 whole-number decisions) a plan on a 2-core machine
at load 7-8, where 5, 10 and 20 s gave none [seconds]."""


def _time_limit_reasons(
    program: LinearProgram, deadline: Deadline, result: SolverResult
) -> list[str]:
    """Returns why a time limit ended the solve without a plan, and the limit to try next."""
    whole = int(program.integer.sum())
    stopped = f" ({result.message})" if result.message else ""
    return [
        f"the {deadline.limit:g} s time limit ended the solve after {deadline.elapsed():.1f} s, "
        f"before the first plan was found{stopped}",
        f"the first plan needs time of its own (demand sampling, the model, its LP relaxation, "
        f"a dive through {whole:,} whole-number decisions): on spring-drop (12,146) it takes "
        f"about {FIRST_PLAN_SECONDS:g} s on a busy 2-core machine; run again with a longer "
        "--time-limit",
    ]


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


__all__ = ["STOCHASTIC_SKIPPED", "solve", "solve_within"]
