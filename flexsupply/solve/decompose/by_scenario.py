"""The decomposition by scenario as a solve step: when it applies, its first plan, its result.

Seasons with at least ``MIN_SCENARIOS`` demand scenarios whose scenarios are joined only by
the first stage are solved by scenario (``scenario_split.py``) instead of the decomposition by
style, whose whole-program dive alone took 81 s of 120 on spring-drop:100. The first first
stage tried is the mean-demand plan's (Birge & Louveaux's EEV plan: one scenario, solved style
by style in about a second), so a plan exists after one pass over the scenarios' recourse.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverOptions
from flexsupply.backends.result import SolverResult
from flexsupply.demand import DemandScenarios
from flexsupply.heuristics.mean_value import first_stage_values
from flexsupply.model import build_program
from flexsupply.model.build import ModelMap, first_stage_of
from flexsupply.model.program import LinearProgram
from flexsupply.scenario import Scenario
from flexsupply.solve.by_style import solve_by_style
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.decompose.outcome import Found, decomposition_result
from flexsupply.solve.decompose.part_solve import PartPool
from flexsupply.solve.decompose.scenario_parts import (
    ScenarioParts,
    first_stage_columns,
    scenario_anchors,
    scenario_parts,
)
from flexsupply.solve.decompose.scenario_split import ROUNDS, SplitRun, split_solve

MIN_SCENARIOS = 50
"""``decompose`` splits by scenario from this many demand scenarios on. Measured on
spring-drop (``benchmarks/results/decompose-scenarios.md``): at 100 scenarios the split by
style gave no plan of its own in 120 s (its dive took 81 s); at 15 it reaches 2.75 % and is
kept."""
MEAN_PLAN_GAP = 0.01
"""Gap the mean-demand plan is solved to (by style)."""
SPLIT_START_SHARE = 0.0
"""Share of the time left the warm start before the split may spend on fix-and-optimise
(0: its first plan alone, the mean-value plan); the split's exact recourse and bound rounds
get the rest. On spring-drop:100 at load 10 the first plan alone took 44 s, and the
recourse of its first stage (434,652) beat it (416,566) without fix-and-optimise."""
SPLIT_START_DIVE = False
"""Whether the warm start before the split dives on the whole program first. Off: on
spring-drop:100 the dive took ~42 % of the warm start and found no plan; the mean-demand plan
(``heuristics/mean_value.py``) is the first plan instead."""


def scenario_split_of(program: LinearProgram, model: ModelMap) -> ScenarioParts | None:
    """Returns the program's parts by scenario when the split applies, else None.

    It applies to programs of ``MIN_SCENARIOS`` scenarios or more, without scenario trees,
    whose scenarios only the first stage joins (no CVaR, no service level on an expectation).
    """
    demand = model.demand
    if demand.n_scenarios < MIN_SCENARIOS or model.tree or model.data.reveal == 0:
        return None
    shared = first_stage_columns(model)
    anchors = scenario_anchors(model, program.n_columns)
    return scenario_parts(program, shared, anchors, demand.probabilities)


def solve_by_scenario(
    program: LinearProgram,
    model: ModelMap,
    scenario: Scenario,
    parts: ScenarioParts,
    backend: str,
    options: SolverOptions,
    workers: int,
    rounds: int | None = None,
    start: FloatArray | None = None,
    scheduler: str | None = None,
) -> SolverResult:
    """Solves ``program`` split by scenario (``scenario_split.split_solve``).

    Args:
        program: the season's program (``build_program(scenario, model.demand)``).
        model: its model map.
        scenario: the season's scenario (for the mean-demand plan).
        parts: ``scenario_split_of(program, model)``.
        backend: backend of the parts' fallback MILPs.
        options: gap, seed, log and the time limit (a safety net) [seconds].
        workers: processes (or LocalCluster workers) for the parts.
        rounds: bound rounds at most (default ``ROUNDS``).
        start: a plan of the whole program (the warm start): the plan returned is never
            worse, and its first stage is the first one tried.
        scheduler: a Dask scheduler's address, or ``local`` for a LocalCluster; None: local
            processes (``part_solve.PartPool``). The plan is the same on either.

    Returns:
        A ``SolverResult`` in the program's sense (objective and bound with the offset
        [currency]); ``extra`` holds ``iterations``, ``scenario_parts``, ``plans_tried`` and
        ``plan_<first stage>``, the plan each first stage tried gave [currency].
    """
    started = time.perf_counter()
    limit = options.time_limit
    deadline = math.inf if limit is None else started + limit
    sense = 1.0 if program.maximize else -1.0
    maxform = replace(
        program, objective=sense * program.objective, offset=sense * program.offset, maximize=True
    )
    remaining = None if limit is None else max(deadline - time.perf_counter(), 1.0)
    first = mean_plan_start(scenario, model.demand, program, model, parts, remaining)
    if options.log:
        found = "none" if first is None else "found"
        print(
            f"by scenario: mean-demand first stage {found} ({time.perf_counter() - started:.1f} s)"
        )
    pool = PartPool(workers, scheduler)
    try:
        run = SplitRun(backend, options, pool, deadline, rounds or ROUNDS, began=started)
        state = split_solve(maxform, parts, run, first=first, start=start)
    finally:
        pool.close()
    state.notes += pool.notes
    extra = {
        "iterations": float(state.rounds),
        "scenario_parts": float(parts.n_parts),
        "plans_tried": float(state.plans),
        "lagrangian_bound": sense * state.bound,
    } | {f"plan_{name.replace(' ', '_')}": sense * value for name, value in state.tried.items()}
    tried = ", ".join(f"{name} {sense * value:,.0f}" for name, value in state.tried.items())
    where = "on Dask" if scheduler is not None and not pool.notes else "on local processes"
    words = f"decomposition by scenario: {parts.n_parts} parts {where}, {state.rounds} rounds"
    if state.x is not None:
        words += f", best first stage: {state.found_by} (tried: {tried})"
    proven = state.gap() <= options.gap
    return decomposition_result(
        program,
        Found(state.x, state.value, state.bound, state.gap()),
        options.gap,
        seconds=time.perf_counter() - started,
        backend=backend,
        engine="highs",
        message="; ".join([words, *state.notes]),
        extra=extra,
        stop=_stop(proven, time.perf_counter() >= deadline or pool.lost > 0),
    )


def _stop(proven: bool, clocked: bool) -> str:
    """Returns what ended the split: ``gap``, ``time_limit`` or its rounds (``iteration_limit``)."""
    if proven:
        return "gap"
    return "time_limit" if clocked else "iteration_limit"


def mean_plan_start(
    scenario: Scenario,
    demand: DemandScenarios,
    program: LinearProgram,
    model: ModelMap,
    parts: ScenarioParts,
    seconds: float | None,
) -> FloatArray | None:
    """Returns the mean-demand plan's first stage in the order of ``parts.shared``, or None.

    The season is planned as if the probability-weighted mean demand were certain, by style
    (``solve_by_style``, gap ``MEAN_PLAN_GAP``), its styles' own plans side by side (they may
    break a linking row); None when that gives nothing or it does not set every shared column.
    """
    alone = scenario.model_copy(update={"risk": None, "service": None})
    level = DemandScenarios(demand.expected()[None], np.ones(1), ["mean"])
    level_program, level_model = build_program(alone, level)
    split = solve_by_style(level_program, MEAN_PLAN_GAP, Deadline(seconds), polish=False)
    # The styles' own plans may overload a factory: the split's consensus step repairs that.
    x = split.start if split.glued is None else split.glued
    if x is None:
        return None
    values = first_stage_values(program, model, first_stage_of(level_model, x))[parts.shared]
    return None if np.isnan(values).any() else values
