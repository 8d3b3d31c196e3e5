"""What planning for uncertainty is worth: the value of the stochastic solution and of information.

With the objective maximised (Birge & Louveaux, *Introduction to Stochastic Programming*, §4.1):

- **RP**, the recourse problem: the stochastic plan's objective.
- **EV**: plan for the probability-weighted mean demand as if it were certain.
- **EEV**: keep that mean-demand plan's first stage (shared orders, suppliers onboarded) and choose
  the recourse per scenario; VSS = RP − EEV ≥ 0.
- **WS**, wait-and-see: plan each scenario alone knowing its demand; EVPI = WS − RP ≥ 0.

The per-scenario solves (EEV and wait-and-see here, out-of-sample recourse in ``simulate``) run
in parallel processes; results come back in scenario order, the same whatever the number of
workers.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flexsupply.backends import SolverResult, Status
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.errors import SolveError
from flexsupply.model import build_program
from flexsupply.model.build import FirstStage, ModelMap, first_stage_of
from flexsupply.model.risk import cvar
from flexsupply.plan import Plan, StochasticReport, make_plan
from flexsupply.scenario import Objective, Scenario
from flexsupply.solve.by_style import split_then_whole
from flexsupply.solve.deadline import Deadline, TimeLimitReached
from flexsupply.solve.executors import run_chunks
from flexsupply.solve.settings import SolveSettings

CHUNKS_PER_WORKER = 4
"""Per-scenario solves are sent to workers in about this many chunks per worker."""
MIN_STEP_SECONDS = 0.5
"""A solve is not started with less time left than this: building its model alone takes about
as long on a full season [seconds]."""


@dataclass(frozen=True)
class Outcome:
    """What one demand scenario gives: the best recourse's objective and its KPIs.

    Attributes:
        status: the solver's status word; the other numbers are nan without a plan.
        objective: objective value (profit, or cost with ``min_cost``) [currency].
        profit: profit [currency].
        fill_rate: share of spot demand served.
        presale_on_time: share of presale units shipped by their due period.
        leftover_units: units in stock at the end of the horizon [units].
        cash_low_point: lowest cash balance over the periods (nan when cash is not modelled)
            [currency].
        bound: the engine's bound on ``objective`` (nan when unknown) [currency].
    """

    status: str
    objective: float
    profit: float
    fill_rate: float
    presale_on_time: float
    leftover_units: float
    cash_low_point: float
    bound: float = math.nan

    @property
    def has_plan(self) -> bool:
        """True when the scenario had a feasible recourse."""
        return not math.isnan(self.objective)


def risk_neutral(scenario: Scenario, keep_service: bool = True) -> Scenario:
    """Returns the scenario without its risk term (and without service targets if asked)."""
    update: dict[str, object] = {"risk": None}
    if not keep_service:
        update["service"] = None
    return scenario.model_copy(update=update)


def mean_demand(demand: DemandScenarios) -> DemandScenarios:
    """Returns the probability-weighted mean demand as one scenario of probability 1."""
    return DemandScenarios(demand.expected()[None], np.ones(1), ["mean"])


def solve_program(
    scenario: Scenario,
    demand: DemandScenarios,
    settings: SolveSettings,
    deadline: Deadline,
    fixed_first_stage: FirstStage | None = None,
) -> tuple[SolverResult, ModelMap]:
    """Builds and solves the model for ``demand`` (optionally with the first stage fixed).

    With the first stage fixed the recourse of a large program (or with ``settings.method``
    ``decompose``; never with ``monolithic``) is first solved style by style (``by_style``); the
    engine solves the whole program only when that plan is not proven within the gap, starting
    from it. The engine gets the time left on
    ``deadline``.

    Returns:
        ``(SolverResult, ModelMap)``; the result may have no plan (see its status).

    Raises:
        TimeLimitReached: less than ``MIN_STEP_SECONDS`` is left, before anything is built.
    """
    deadline.check("a solve of the stochastic report or the simulation", MIN_STEP_SECONDS)
    program, model = build_program(scenario, demand, fixed_first_stage=fixed_first_stage)
    return split_then_whole(program, settings, deadline, fixed_first_stage is not None), model


def mean_value_plan(
    scenario: Scenario, demand: DemandScenarios, settings: SolveSettings, deadline: Deadline
) -> tuple[float, FirstStage]:
    """Solves the mean-demand problem (risk-neutral: one scenario has no spread).

    Returns:
        ``(EV, its first stage)``.

    Raises:
        SolveError: the mean-demand problem has no plan.
        TimeLimitReached: no time was left to find one.
    """
    result, model = solve_program(risk_neutral(scenario), mean_demand(demand), settings, deadline)
    _stop_on_time(result)
    if not result.status.has_plan:
        raise SolveError(
            f"No mean-demand plan for {scenario.name!r}: the solver ended {result.status}",
            str(result.status),
            [result.message] if result.message else [],
        )
    return result.objective, first_stage_of(model, result.x, scenario)


def _stop_on_time(result: SolverResult) -> None:
    """Raises ``TimeLimitReached`` when ``result`` has no plan because the time ran out."""
    if result.status == Status.NO_SOLUTION:
        raise TimeLimitReached(result.message or "the time limit was reached")


def outcome_of(scenario: Scenario, model: ModelMap, result: SolverResult) -> Outcome:
    """Returns the outcome of one scenario's solve: its objective and KPIs (nan without a plan)."""
    if not result.status.has_plan:
        nan = math.nan
        return Outcome(str(result.status), nan, nan, nan, nan, nan, nan, result.bound)
    kpis = make_plan(scenario, model, result).kpis
    return Outcome(
        status=str(result.status),
        objective=result.objective,
        profit=kpis.expected_profit,
        fill_rate=kpis.fill_rate,
        presale_on_time=kpis.presale_on_time_share,
        leftover_units=kpis.leftover_units,
        cash_low_point=math.nan if kpis.cash_low_point is None else kpis.cash_low_point,
        bound=result.bound,
    )


_Job = tuple[Scenario, np.ndarray, list[str], FirstStage | None, SolveSettings, float | None]


def _solve_chunk(job: _Job, deadline: Deadline | None = None) -> list[Outcome]:
    """Solves each scenario of a chunk alone (a worker's unit of work).

    A worker process gets the seconds left when the chunk was sent and starts its own deadline;
    in this process the caller's deadline is used.
    """
    scenario, units, names, first_stage, settings, seconds_left = job
    deadline = deadline or Deadline(seconds_left)
    outcomes = []
    for w, name in enumerate(names):
        one = DemandScenarios(units[w : w + 1], np.ones(1), [name])
        try:
            result, model = solve_program(scenario, one, settings, deadline, first_stage)
        except TimeLimitReached:
            nan = math.nan
            outcomes.append(Outcome(str(Status.NO_SOLUTION), nan, nan, nan, nan, nan, nan))
            continue
        outcomes.append(outcome_of(scenario, model, result))
    return outcomes


def solve_each(
    scenario: Scenario,
    demand: DemandScenarios,
    first_stage: FirstStage | None,
    settings: SolveSettings,
    deadline: Deadline,
    workers: int | None = None,
) -> list[Outcome]:
    """Solves every demand scenario alone, with the first stage fixed when given.

    Risk and service targets are left out: alone, a scenario has no spread, and a target on an
    expectation is not a target on each scenario. Solves run in ``workers`` processes (default:
    the CPUs); the outcomes are in scenario order and do not depend on it.
    Workers are spawned, so a script that asks for more than one must start from an
    ``if __name__ == "__main__":`` block.

    Returns:
        One ``Outcome`` per scenario.
    """
    return solve_each_stage(scenario, demand, [first_stage], settings, deadline, workers)[0]


def solve_each_stage(
    scenario: Scenario,
    demand: DemandScenarios,
    first_stages: Sequence[FirstStage | None],
    settings: SolveSettings,
    deadline: Deadline,
    workers: int | None = None,
    dask: str | None = None,
) -> list[list[Outcome]]:
    """Does ``solve_each`` for several first stages in one pool of workers (or on Dask).

    ``dask`` is a scheduler address or ``local`` (``executors.run_chunks``).

    Every solve gets the time left on ``deadline``; a scenario reached when none is left is not
    solved and its outcome says ``no_solution``.

    Returns:
        Per first stage, one ``Outcome`` per scenario.
    """
    plain = risk_neutral(scenario, keep_service=False)
    n = demand.n_scenarios
    workers = max(1, min(workers or os.cpu_count() or 1, n * len(first_stages)))
    n_chunks = 1 if workers == 1 else min(n, workers * CHUNKS_PER_WORKER)
    bounds = np.linspace(0, n, n_chunks + 1).round().astype(int)
    spans = [(a, b) for a, b in itertools.pairwise(int(v) for v in bounds) if b > a]
    jobs: list[_Job] = [
        (plain, demand.units[a:b], demand.names[a:b], stage, settings, deadline.left())
        for stage in first_stages
        for a, b in spans
    ]
    if workers == 1 and dask is None:
        chunks = [_solve_chunk(job, deadline) for job in jobs]
    else:
        chunks = run_chunks(_solve_chunk, jobs, workers, dask)
    per_stage = len(spans)
    return [
        [outcome for chunk in chunks[i * per_stage : (i + 1) * per_stage] for outcome in chunk]
        for i in range(len(first_stages))
    ]


def combine(scenario: Scenario, objectives: Sequence[float], probabilities: np.ndarray) -> float:
    """Returns the scenario's objective of per-scenario objective values.

    E[objective], with the risk term ``∓λ·CVaR_α`` of the loss when the scenario sets one.
    """
    values = np.asarray(objectives, dtype=float)
    expected = float(probabilities @ values)
    risk = scenario.risk
    if risk is None or risk.cvar_weight == 0:
        return expected
    if scenario.objective == Objective.MIN_COST:
        return expected + risk.cvar_weight * cvar(values, probabilities, risk.cvar_alpha)
    return expected - risk.cvar_weight * cvar(-values, probabilities, risk.cvar_alpha)


def _ties_scenarios(scenario: Scenario) -> bool:
    """True when service targets on expectations tie the scenarios' recourse together."""
    service = scenario.service
    return service is not None and (
        service.min_fill_rate is not None or service.min_presale_on_time is not None
    )


def mean_plan_on_scenarios(
    scenario: Scenario,
    demand: DemandScenarios,
    first_stage: FirstStage,
    settings: SolveSettings,
    deadline: Deadline,
    workers: int | None = 1,
) -> float | None:
    """Returns EEV, the objective of a first stage kept with the recourse chosen per scenario.

    With the first stage fixed nothing else is shared between scenarios, so each scenario is
    solved alone (``solve_each``, in ``workers`` processes) and the values combined by
    ``combine``, as in ``wait_and_see``. Service targets on expectations tie scenarios together,
    and so do the shared reorders of a scenario tree (``later_reveal_periods``); then the whole
    model is solved at once with the first stage fixed.

    Args:
        scenario: the validated scenario.
        demand: the demand scenarios.
        first_stage: the first stage to keep, usually the mean-demand plan's
            (``mean_value_plan``).
        settings: solver settings for every solve.
        deadline: every solve gets the time left on it.
        workers: processes for the per-scenario solves (default 1: in this process; None: the
            CPUs, see ``solve_each``).

    Returns:
        The objective (profit, or cost with ``min_cost``, risk-adjusted when the scenario has a
        risk term) [currency]; None when some scenario has no feasible recourse.

    Raises:
        TimeLimitReached: the time ran out before every scenario was solved.
    """
    if _ties_scenarios(scenario) or scenario.later_reveal_periods:
        fixed, _ = solve_program(scenario, demand, settings, deadline, first_stage)
        _stop_on_time(fixed)
        return fixed.objective if fixed.status.has_plan else None
    outcomes = solve_each(scenario, demand, first_stage, settings, deadline, workers)
    if any(o.status == Status.NO_SOLUTION for o in outcomes):
        raise TimeLimitReached("the per-scenario solves of the mean-demand plan")
    if not all(o.has_plan for o in outcomes):
        return None
    return combine(scenario, [o.objective for o in outcomes], demand.probabilities)


def wait_and_see(
    scenario: Scenario,
    demand: DemandScenarios,
    settings: SolveSettings,
    deadline: Deadline,
    workers: int | None = 1,
) -> tuple[float, float]:
    """Returns WS, the objective when each scenario is planned knowing its demand.

    Each scenario is solved alone and the values combined by ``combine``: the risk-adjusted
    objective only grows with each scenario's profit, so the scenario optima are jointly optimal.
    Service targets on expectations tie scenarios together; then the whole model is solved at
    once with every order decided per scenario (supplier onboarding stays shared).

    Returns:
        ``(WS, its bound)``: the objective (profit, or cost with ``min_cost``, risk-adjusted
        when the scenario has a risk term) and the same combination of the engines' bounds,
        which bounds the stochastic plan's objective too (nan when an engine gave none)
        [currency].

    Raises:
        SolveError: a problem that the stochastic plan shows feasible has no plan.
        TimeLimitReached: the time ran out first.
    """
    if _ties_scenarios(scenario):
        joint = scenario.model_copy(update={"reveal_period": 1})
        result, _ = solve_program(joint, demand, settings, deadline)
        _stop_on_time(result)
        if not result.status.has_plan:
            raise SolveError("No wait-and-see plan", str(result.status), [result.message])
        return result.objective, result.bound
    outcomes = solve_each(scenario, demand, None, settings, deadline, workers)
    if any(o.status == Status.NO_SOLUTION for o in outcomes):
        raise TimeLimitReached("the wait-and-see solves")
    missing = [name for name, o in zip(demand.names, outcomes, strict=True) if not o.has_plan]
    if missing:
        raise SolveError(
            "No wait-and-see plan", "infeasible", [f"scenario {', '.join(missing)} has no plan"]
        )
    ws = combine(scenario, [o.objective for o in outcomes], demand.probabilities)
    return ws, combine(scenario, [o.bound for o in outcomes], demand.probabilities)


def stochastic_report(
    scenario: Scenario,
    settings: SolveSettings | None = None,
    *,
    demand: DemandScenarios | None = None,
    plan: Plan | None = None,
    workers: int | None = 1,
    deadline: Deadline | None = None,
) -> StochasticReport:
    """Returns RP, EV, EEV, VSS, WS and EVPI of a scenario.

    Args:
        scenario: the validated scenario.
        settings: solver settings for every solve (default: ``SolveSettings()``, prove
            optimality); its ``time_limit`` covers the whole report when no ``deadline`` is given.
        demand: demand scenarios (default: those the scenario states).
        plan: the stochastic plan already solved for the same demand (saves solving it again).
        workers: processes for the per-scenario solves of EEV and wait-and-see (default 1: in
            this process; None: the CPUs, see ``solve_each``).
        deadline: the time budget shared with the caller (``fs.solve`` passes what is left).

    Returns:
        The ``StochasticReport``: objectives and values in the objective's money [currency],
        ``seconds`` spent on the extra solves [seconds].

    Raises:
        SolveError: the stochastic or the mean-demand problem has no plan.
        TimeLimitReached: the time ran out before the report was complete.
    """
    settings = settings or SolveSettings()
    settings.check()
    deadline = deadline or Deadline(settings.time_limit)
    futures = demand if demand is not None else demand_scenarios(scenario)
    started = time.perf_counter()
    if plan is None:
        result, _ = solve_program(scenario, futures, settings, deadline)
        _stop_on_time(result)
        if not result.status.has_plan:
            raise SolveError(f"No plan for {scenario.name!r}", str(result.status), [])
        rp, rp_gap = result.objective, result.gap
    else:
        rp, rp_gap = plan.objective, plan.gap
    ev, first_stage = mean_value_plan(scenario, futures, settings, deadline)
    eev = mean_plan_on_scenarios(scenario, futures, first_stage, settings, deadline, workers)
    ws, ws_bound = wait_and_see(scenario, futures, settings, deadline, workers)
    maximize = scenario.objective == Objective.MAX_PROFIT
    sign = 1.0 if maximize else -1.0
    return StochasticReport(
        sense="max" if maximize else "min",
        rp=rp,
        ev=ev,
        eev=eev,
        vss=None if eev is None else sign * (rp - eev),
        ws=ws,
        evpi=sign * (ws - rp),
        rp_gap=rp_gap,
        seconds=time.perf_counter() - started,
        ws_bound=ws_bound if math.isfinite(ws_bound) else None,
    )


def report_summary(report: StochasticReport, currency: str) -> str:
    """Returns the report as a few readable lines."""
    eev = "no feasible recourse in some scenario" if report.eev is None else f"{report.eev:,.0f}"
    vss = "unbounded" if report.vss is None else f"{report.vss:,.0f} {currency}"
    lines = [
        "Stochastic report" + (" (costs)" if report.sense == "min" else ""),
        f"  stochastic plan (RP)       {report.rp:>14,.0f} {currency}",
        f"  mean-demand plan (EV)      {report.ev:>14,.0f} {currency}",
        f"  mean plan on scenarios     {eev:>14} {currency if report.eev is not None else ''}",
        f"  wait-and-see (WS)          {report.ws:>14,.0f} {currency}",
        f"  value of stochastic solution (VSS)       {vss}",
        f"  value of perfect information (EVPI)      {report.evpi:,.0f} {currency}",
    ]
    if report.rp_gap > 5e-5:
        lines.append(f"  (the stochastic plan is within {report.rp_gap:.2%} of optimal)")
    return "\n".join(line.rstrip() for line in lines)
