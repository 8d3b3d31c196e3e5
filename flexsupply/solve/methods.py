"""Solve methods: how one built program becomes a ``SolverResult``, by name.

A method is a function registered in ``METHODS`` under the name ``SolveSettings.method`` gives::

    def my_method(
        program: LinearProgram,      # the built program (arrays, block tags)
        model: ModelMap,             # how its columns map back to orders, stock, money
        backend: Backend,            # the backend the settings name, loaded
        settings: SolveSettings,     # engine, gap, threads, seed, log, warm_start, method
        deadline: Deadline,          # the one time budget of the call; ask it, never the limit
        context: MethodContext,      # the scenario and the progress callback
    ) -> SolverResult: ...           # a plan (status optimal/feasible) or why there is none

    METHODS["my-method"] = my_method       # or: register("my-method", my_method)

Rules a method keeps: every engine call goes through ``settings.options(deadline, progress)``
(the time left, never the full limit); the warm start, if any, is given
``deadline.perf_counter_deadline(...)``; the result's ``seconds`` covers the whole method and its
``bound`` is a valid bound (nan when none). ``auto`` picks a method for the program;
``monolithic`` is one engine call, warm-started by a heuristic plan; ``decompose`` is the
decomposition by style with a Lagrangian bound (``flexsupply/solve/decompose``).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flexsupply.arrays import FloatArray
from flexsupply.backends import Backend, Progress, SolverOptions, SolverResult, Status
from flexsupply.backends.result import no_plan
from flexsupply.errors import BackendError
from flexsupply.heuristics import WarmStart
from flexsupply.heuristics.mean_value import neighbourhoods
from flexsupply.model import ModelMap
from flexsupply.model.program import LinearProgram
from flexsupply.scenario import Scenario
from flexsupply.solve.deadline import Deadline, TimeLimitReached
from flexsupply.solve.decompose import DecomposeSettings, choose_method, decompose
from flexsupply.solve.decompose import by_scenario as scenario_module
from flexsupply.solve.decompose import early as early_start
from flexsupply.solve.decompose.by_scenario import scenario_split_of, solve_by_scenario
from flexsupply.solve.decompose.early import EarlyStart, StartJob, warm_start_of
from flexsupply.solve.decompose.hybrid import settings_for, warm_start_share
from flexsupply.solve.decompose.scale import plans_by_style
from flexsupply.solve.decompose.scenario_parts import ScenarioParts
from flexsupply.solve.settings import SolveSettings

WARM_START_SHARE = 0.5
"""Share of the time left spent on the warm start; the engine gets the rest."""
FIRST_PLAN_SHARE = 0.85
"""Share of the time left the warm start may spend finding its first plan, when the dive is
slow; fix-and-optimise stops at ``WARM_START_SHARE`` either way."""
WARM_START_SECONDS = 30.0
"""Warm-start budget when it is asked for without a time limit [seconds]."""


@dataclass(frozen=True)
class MethodContext:
    """What a method may need besides the program: the scenario and where progress goes."""

    scenario: Scenario
    progress: Callable[[Progress], None] | None = None


class SolveMethod(Protocol):
    """A way to solve a built program within a deadline (see the module docstring)."""

    def __call__(
        self,
        program: LinearProgram,
        model: ModelMap,
        backend: Backend,
        settings: SolveSettings,
        deadline: Deadline,
        context: MethodContext,
    ) -> SolverResult:
        """Returns the result: a plan with its bound, or the status saying why there is none."""
        ...


def monolithic(
    program: LinearProgram,
    model: ModelMap,
    backend: Backend,
    settings: SolveSettings,
    deadline: Deadline,
    context: MethodContext,
) -> SolverResult:
    """Returns one engine call's result, started from (and never worse than) a warm start.

    The warm start (LP dive, mean-demand plan, fix-and-optimise) runs when
    ``settings.warm_start`` says so (default: when there is a time limit) and the program has
    integer columns; it gets ``WARM_START_SHARE`` of the time left, the engine the rest. The
    plan is handed to the engine only when the engine takes a start (its capability).
    """
    engine = settings.engine_info()
    if not _warm_start_wanted(program, settings, deadline):
        return backend.solve(program, settings.options(deadline, context.progress))
    start = _warm_start(program, model, settings, deadline, context, WARM_START_SHARE)
    if start is None:
        return backend.solve(program, settings.options(deadline, context.progress))
    try:
        options = settings.options(deadline, context.progress)
    except TimeLimitReached as stop:  # no time left (or Ctrl-C) after the warm start: keep its plan
        result = no_plan(Status.NO_SOLUTION, 0.0, backend.name, engine.name, str(stop))
    else:
        result = backend.solve(program, options, start=start.x if engine.warm_start else None)
    if start.time_limited:
        result = dataclasses.replace(result, stop="time_limit")
    return keep_better(program, result, start.x, start.objective, start.seconds)


def _warm_start_wanted(program: LinearProgram, settings: SolveSettings, deadline: Deadline) -> bool:
    """Returns whether one engine call's warm start runs.

    It runs as ``settings.warm_start`` says (default: with a time limit), and only on programs
    with integer columns.
    """
    wanted = deadline.limit is not None if settings.warm_start is None else settings.warm_start
    return wanted and bool(program.integer.any())


def _warm_start(
    program: LinearProgram,
    model: ModelMap,
    settings: SolveSettings,
    deadline: Deadline,
    context: MethodContext,
    share: float,
    improve: bool = True,
    dive: bool = True,
) -> WarmStart | None:
    """Returns the heuristics' plan (dive or mean-demand plan, then fix-and-optimise).

    Fix-and-optimise stops at ``share`` of the time left; the first plan may take up to
    ``FIRST_PLAN_SHARE`` of it. Without ``improve`` the first plan is the answer (no
    fix-and-optimise), and ``share`` is not used. Without ``dive`` the mean-demand plan is
    the first plan (the whole program's dive is skipped).
    """
    job = _start_job(program, model, settings, deadline, context, share, improve, dive)
    start = warm_start_of(job)
    if start is not None:
        _show_start(start, settings, deadline, context)
    return start


def _start_job(
    program: LinearProgram,
    model: ModelMap,
    settings: SolveSettings,
    deadline: Deadline,
    context: MethodContext,
    share: float,
    improve: bool,
    dive: bool = True,
) -> StartJob:
    """Returns the warm start's inputs and budgets from now (``_warm_start``)."""
    first_budget = deadline.share(FIRST_PLAN_SHARE)
    fix_budget = deadline.share(share) if improve else first_budget
    budget = WARM_START_SECONDS if fix_budget is None else fix_budget
    return StartJob(
        context.scenario,
        program,
        model,
        budget,
        first_budget,
        settings.seed,
        settings.node_limit,
        improve,
        dive,
    )


def _show_start(
    start: WarmStart, settings: SolveSettings, deadline: Deadline, context: MethodContext
) -> None:
    """Prints the warm start's line in the solver log and reports its plan to the progress."""
    if settings.log:
        print(start.summary())
    if context.progress is not None:
        context.progress(Progress(deadline.elapsed(), incumbent=start.objective))


def decomposed(
    program: LinearProgram,
    model: ModelMap,
    backend: Backend,
    settings: SolveSettings,
    deadline: Deadline,
    context: MethodContext,
) -> SolverResult:
    """Returns the decomposition by style's result (``flexsupply/solve/decompose``).

    Its start is the LP dive's first plan (no fix-and-optimise: the plan side improves the
    repaired Lagrangian plans instead; the dive, or the mean-demand plan when it finds none);
    on many styles the whole warm start (``hybrid.warm_start_share``). With
    ``early.EARLY`` (off) the first plan is found on a process of its own from the start,
    beside the one-core LP relaxation, and collected while the worker processes run the first
    round of subproblems. The plan returned is never worse than it and a plan
    exists whenever the dive finds one. Every step stops on work limits
    (``decompose_settings``); the time limit is a safety net, and when it stops a step the
    result says so (``stop == "time_limit"``). Subproblems run on local processes, or on the
    Dask scheduler ``settings.dask`` names, with ``settings.workers`` workers. Seasons of many
    scenarios joined only by their first stage are split by scenario instead (``by_scenario``).
    """
    parts = scenario_split_of(program, model)
    if parts is not None:
        return by_scenario(program, model, backend, settings, deadline, context, parts)
    start: list[WarmStart | None] = [None]
    # At scale the whole program's dive takes the whole limit; the styles give the first plan.
    wanted = bool(program.integer.any()) and not plans_by_style(program)
    share = warm_start_share(program)
    later = wanted and share is None and early_start.EARLY
    if wanted and not later:
        improve = share is not None
        start[0] = _warm_start(program, model, settings, deadline, context, share or 0.0, improve)

    job = _start_job(program, model, settings, deadline, context, 0.0, False)
    early = EarlyStart(job) if later else None

    def start_meanwhile() -> FloatArray | None:
        found = None if early is None else early.result()
        if found is None:
            return None
        _show_start(found, settings, deadline, context)
        # Its time is inside the decomposition's (the round ran beside it), not added to it.
        start[0] = dataclasses.replace(found, seconds=0.0)
        return found.x

    def run(options: SolverOptions) -> SolverResult:
        return decompose(
            program,
            backend,
            options,
            options.time_limit,
            neighbourhoods(model, program.n_columns),
            start=None if start[0] is None else start[0].x,
            settings=decompose_settings(settings, program),
            cover=model.cover,
            later_start=start_meanwhile if later else None,
        )

    try:
        result = _after_start(run, backend, settings, deadline, context, start[0] is not None)
    finally:
        if early is not None:
            early.close()
    return _not_worse(program, dataclasses.replace(result, method="decompose"), start[0], deadline)


def _after_start(
    run: Callable[[SolverOptions], SolverResult],
    backend: Backend,
    settings: SolveSettings,
    deadline: Deadline,
    context: MethodContext,
    started: bool,
) -> SolverResult:
    """Returns ``run``'s result with the time left, or no plan when none is left after a start.

    Raises:
        TimeLimitReached: no time is left and there is no warm start (``started`` False).
    """
    try:
        options = settings.options(deadline, context.progress)
    except TimeLimitReached as stop:
        if not started:
            raise
        return no_plan(Status.NO_SOLUTION, 0.0, backend.name, "", str(stop))
    return run(options)


def _not_worse(
    program: LinearProgram, result: SolverResult, start: WarmStart | None, deadline: Deadline
) -> SolverResult:
    """Returns ``result``, or the warm start's plan when better; says when the clock stopped it."""
    if start is None:
        return result
    result = keep_better(program, result, start.x, start.objective, start.seconds)
    if start.time_limited or deadline.expired():
        return dataclasses.replace(result, stop="time_limit")
    return result


def by_scenario(
    program: LinearProgram,
    model: ModelMap,
    backend: Backend,
    settings: SolveSettings,
    deadline: Deadline,
    context: MethodContext,
    parts: ScenarioParts,
) -> SolverResult:
    """Returns the decomposition by scenario's result (``decompose/by_scenario.py``).

    The warm start of one engine call (``monolithic``: when the settings ask for it, by
    default with a time limit), with ``by_scenario.SPLIT_START_SHARE`` of the time and without
    the whole program's dive unless ``by_scenario.SPLIT_START_DIVE``, comes first: its first
    stage is the first one scored by its recourse, and its plan is kept when nothing better
    is found, so the plan is never worse than that warm start.
    Its parts run on ``settings.workers`` local processes (default: all cores), or on the
    Dask scheduler ``settings.dask`` names (``local``: a LocalCluster), with the same plan.
    """
    start = None
    if _warm_start_wanted(program, settings, deadline):
        share = scenario_module.SPLIT_START_SHARE
        dive = scenario_module.SPLIT_START_DIVE
        start = _warm_start(program, model, settings, deadline, context, share, share > 0, dive)

    def run(options: SolverOptions) -> SolverResult:
        return solve_by_scenario(
            program,
            model,
            context.scenario,
            parts,
            backend.name,
            options,
            settings.workers or os.cpu_count() or 1,
            settings.iterations,
            start=None if start is None else start.x,
            scheduler=settings.dask,
        )

    result = _after_start(run, backend, settings, deadline, context, start is not None)
    result = dataclasses.replace(result, method="decompose")
    return _not_worse(program, result, start, deadline)


def decompose_settings(
    settings: SolveSettings, program: LinearProgram | None = None
) -> DecomposeSettings:
    """Returns the decomposition's settings from the solve settings.

    With ``program`` the split of work suits its size (``decompose/hybrid.py``: on many
    styles few rounds and the rest to the plan; on a small program HiGHS on the whole program
    last). ``settings.iterations`` bounds the rounds of subproblems and ``settings.node_limit``
    the nodes of every subproblem, master, sub-MIP and engine tail (defaults:
    ``DecomposeSettings``).
    """
    chosen = DecomposeSettings(
        executor="local" if settings.dask is None else "dask",
        workers=settings.workers,
        scheduler=settings.dask,
    )
    if program is not None:
        chosen = settings_for(program, chosen)
    if settings.iterations is not None:
        chosen = dataclasses.replace(chosen, max_iterations=settings.iterations)
    if settings.node_limit is not None:
        nodes = settings.node_limit
        plan = dataclasses.replace(
            chosen.plan,
            neighbourhood_nodes=nodes,
            master_nodes=nodes,
            fix_nodes=nodes,
            repair_nodes=nodes,
            style_nodes=nodes,
            whole_nodes=nodes,
        )
        chosen = dataclasses.replace(chosen, subproblem_nodes=nodes, plan=plan)
    return chosen


def keep_better(
    program: LinearProgram, result: SolverResult, x: FloatArray, objective: float, seconds: float
) -> SolverResult:
    """Returns the engine's result, or the earlier plan ``x`` when it is better.

    ``seconds`` is the time spent finding ``x`` [seconds], added to the result's.
    """
    extra = {**result.extra, "warm_start_objective": objective, "warm_start_seconds": seconds}
    total = result.seconds + seconds
    better = -1.0 if program.maximize else 1.0
    if result.status.has_plan and better * (result.objective - objective) <= 1e-9 * max(
        1.0, abs(objective)
    ):
        return dataclasses.replace(result, seconds=total, extra=extra)
    bound = result.bound if result.status.has_plan or math.isfinite(result.bound) else math.nan
    message = f"{result.message}; the warm start's plan is better and kept".lstrip("; ")
    return dataclasses.replace(
        result,
        status=Status.FEASIBLE,
        objective=objective,
        bound=bound,
        x=x,
        seconds=total,
        message=message,
        extra=extra,
    )


def auto(
    program: LinearProgram,
    model: ModelMap,
    backend: Backend,
    settings: SolveSettings,
    deadline: Deadline,
    context: MethodContext,
) -> SolverResult:
    """Returns the result of the method that suits the program (``choose_method``).

    One engine call for small programs, the decomposition by style for seasons with many styles.
    """
    chosen = choose_method(program)
    if settings.log:
        print(f"method: {chosen}")
    method = decomposed if chosen == "decompose" else monolithic
    return method(program, model, backend, settings, deadline, context)


METHODS: dict[str, SolveMethod] = {
    "auto": auto,
    "monolithic": monolithic,
    "decompose": decomposed,
}
"""Every solve method by name; ``SolveSettings.method`` names one."""


def register(name: str, method: SolveMethod) -> None:
    """Adds (or replaces) the solve method called ``name``."""
    METHODS[name] = method


def get_method(name: str) -> SolveMethod:
    """Returns the solve method called ``name``.

    Raises:
        BackendError: no method has that name (the message lists them).
    """
    method = METHODS.get(name)
    if method is None:
        raise BackendError(f"unknown solve method {name!r}; choose one of {', '.join(METHODS)}")
    return method
