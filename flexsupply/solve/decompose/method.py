"""Decomposition by style: a Lagrangian bound from the bundle method, plans from the master.

The bound side relaxes the linking rows (``linking.py``), prices each style's subproblem with
the multipliers and solves it through the chosen backend (``subproblems.py``), in parallel
(``executors.py``); every evaluation is a valid bound and the bundle method (``bundle.py``)
moves the multipliers. The plan side keeps the best plan that is feasible for the whole
program: the start it is given, the restricted master over the generated setup patterns
(``master.py``), then fix-and-optimise on the whole program seeded by the master's plan.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import SolverOptions, backend_info
from flexsupply.backends.result import Backend, SolverResult
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.cover_rounds import COVER_ROUNDS, tighten_within
from flexsupply.model.program import LinearProgram
from flexsupply.model.strengthen import CoverData
from flexsupply.solve.decompose.bundle import bundle_of
from flexsupply.solve.decompose.executors import LOST, ROUND_GRACE, Executor
from flexsupply.solve.decompose.linking import Partition, partition, scaled
from flexsupply.solve.decompose.master import Patterns
from flexsupply.solve.decompose.outcome import Found, decomposition_result
from flexsupply.solve.decompose.primal import (
    Clock,
    PlanLimits,
    PlanSearch,
    SearchState,
    left_until,
)
from flexsupply.solve.decompose.relaxation import (
    Relaxation,
    lp_iterations,
    lp_relaxation,
    lp_seconds,
)
from flexsupply.solve.decompose.release import release_freed
from flexsupply.solve.decompose.reporting import in_maxform, progress_line, report_round
from flexsupply.solve.decompose.residual import WHOLE_PROGRAM_COLUMNS
from flexsupply.solve.decompose.round_record import record_round
from flexsupply.solve.decompose.scale import at_scale, solve_at_scale
from flexsupply.solve.decompose.search_state import LaterStart
from flexsupply.solve.decompose.subproblems import (
    Task,
    blocks_of,
    priced_objective,
)

FIRST_STEP = 0.3
"""The first multiplier step moves μ by about this share of its size."""
MIN_BOUND_SHARE = 0.25
"""The bound side starts only with at least this share of the time limit left, and time for a
round at ``MIN_TASK_SECONDS`` a subproblem; otherwise the time goes to the plan side."""
ROUNDS = 8
"""Rounds of subproblems by default: a fixed amount of work, so the plan does not depend on how
busy the machine is."""
LARGE_SEARCH_SHARE = 0.1
"""At scale the plan search over the whole program starts only with this share of the time
limit left (``scale.py`` uses the time until the deadline itself)."""
MIN_TASK_SECONDS = 0.5
"""The safety net never gives a subproblem less than this [seconds]."""
TASK_SPREAD = 3.0
"""A subproblem's safety limit is this many times its even share of the round's window: the
styles' solve times differ by up to 5x (spring-drop), and an even share cut the slow ones (and
made the run depend on the clock) in rounds that fitted the window as a whole."""
CUT_SHARE = 0.95
"""A subproblem that ran this share of its safety limit counts as stopped by the clock."""
SUBPROBLEM_NODES = 20
"""Branch-and-bound nodes of each subproblem by default. On spring-drop the root is the cost
(18 s for a node limit of 1 at load 10, about what 20 s of search gave), so the bound comes
from the root's cuts; the primal heuristics are off in subproblems (``heuristics=False``)."""


@dataclass(frozen=True)
class DecomposeSettings:
    """How much work the decomposition does: every limit is a count, never seconds.

    The same program, settings and seed give the same plan and bound on any machine load and
    any executor; the time limit is only a safety net (when it stops a step, the result's
    ``stop`` is ``time_limit``).

    Attributes:
        executor: ``serial``, ``local`` (processes, the default) or ``dask``.
        workers: processes or Dask workers (default: all cores).
        scheduler: Dask scheduler address, or ``local`` for a LocalCluster.
        processes: LocalCluster workers are processes (threads when False, e.g. in tests).
        subproblem_gap: relative gap each subproblem is solved to; its proven bound is used.
        subproblem_nodes: branch-and-bound nodes of each subproblem (None: no limit); a
            subproblem stopped there still gives a valid bound.
        subproblem_seconds: unused (kept for callers that set it): subproblems stop on
            ``subproblem_gap`` and ``subproblem_nodes``, the time limit being a safety net.
        bound_share: share of the time limit after which the bound side starts no more rounds
            (a safety net that leaves the plan side time on an overloaded machine).
        max_iterations: rounds of subproblems (multiplier updates) at most.
        converged: stop the bound side when the model predicts less than this relative fall.
        engine: engine of the subproblems (default: the backend's HiGHS where it has one, else
            the options' engine); the masters use the options' engine.
        plan: the plan side's work limits (``PlanLimits``); without a time limit the engine on
            the whole program ends the search, which makes the method exact.
        cover_rounds: rounds of multi-order (l,S) separation on the LP relaxation before the
            program is split (``heuristics/cover_rounds.py``; 0: none). The rows tighten the
            LP duals the bound side starts from and every subproblem; the plan side keeps the
            program as given.
    """

    executor: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    processes: bool = True
    subproblem_gap: float = 1e-4
    subproblem_nodes: int | None = SUBPROBLEM_NODES
    subproblem_seconds: float = 10.0
    bound_share: float = 0.6
    max_iterations: int = ROUNDS
    converged: float = 1e-4
    engine: str | None = None
    plan: PlanLimits = field(default_factory=PlanLimits)
    cover_rounds: int = COVER_ROUNDS


def decompose(
    program: LinearProgram,
    backend: Backend,
    options: SolverOptions,
    time_limit: float | None,
    neighbourhoods: Sequence[IntArray] = (),
    start: FloatArray | None = None,
    settings: DecomposeSettings | None = None,
    clock: Clock = time.perf_counter,
    cover: CoverData | None = None,
    later_start: Callable[[], FloatArray | None] | None = None,
) -> SolverResult:
    """Solves ``program`` by Lagrangian decomposition over its column style tags.

    Args:
        program: the whole season's program, its columns tagged with styles.
        backend: solves the subproblems and the restricted master.
        options: engine, gap, seed, log and progress; the time limit is ``time_limit``.
        time_limit: wall time for the whole method [seconds]; None runs until the bound side
            converges and the master is solved.
        neighbourhoods: parts for fix-and-optimise (``heuristics.mean_value.neighbourhoods``).
        start: a plan feasible for ``program`` (the warm start); the result is never worse.
        settings: executor and time shares (default ``DecomposeSettings()``).
        clock: the time source, ``time.perf_counter`` unless a test injects another [seconds].
        cover: the program's ``ModelMap.cover``: with it, the bound side works on the program
            tightened by ``settings.cover_rounds`` rounds of (l,S) separation.
        later_start: finds a plan (a start, as ``start``) in this process while the workers
            run the first round of subproblems (before the plan side when no round runs).

    Returns:
        A ``SolverResult`` for the whole program: its bound is the best Lagrangian bound (or
        the LP bound if tighter), ``extra`` holds ``iterations``, ``lagrangian_bound``,
        ``lp_bound``, ``linking_rows``, ``blocks`` and ``subproblem_seconds``.
    """
    settings = settings or DecomposeSettings()
    began = clock()
    deadline = math.inf if time_limit is None else began + time_limit
    sense = 1.0 if program.maximize else -1.0
    maxform = replace(
        program, objective=sense * program.objective, offset=sense * program.offset, maximize=True
    )
    options = in_maxform(options, sense)
    # HiGHS solved spring-drop's per-style MILPs about 3x faster than SCIP (docs/performance.md).
    engines = backend_info(backend.name).engine_names
    engine = settings.engine or ("highs" if "highs" in engines else options.engine)
    state = SearchState(None, -math.inf, math.inf)
    # Separation rounds re-solve the LP: at scale the LP alone does not fit the time limit.
    rounds = 0 if at_scale(maxform) else settings.cover_rounds
    tightened = tighten_within(maxform, cover, rounds, time_limit)
    parts = scaled(partition(tightened.program))
    if start is not None and program.violation(start) <= FEASIBILITY_TOLERANCE:
        state.x, state.value = start, maxform.value(start)
    large = at_scale(parts.program)
    relaxation = (
        Relaxation(math.nan, np.zeros(parts.program.n_rows), np.zeros(0), 0.0)
        if large
        else lp_relaxation(
            parts.program,
            lp_seconds(time_limit, left_until(deadline, clock)),
            lp_iterations(parts.program),
        )
    )
    if math.isfinite(relaxation.bound):
        state.bound = relaxation.bound
    # Stopped by a safety net (not a work limit): the multipliers depend on the machine.
    state.clock_stopped = tightened.time_limited or relaxation.stopped_by == "time_limit"
    patterns = Patterns.of(maxform)
    executor = Executor(settings.executor, settings.workers, settings.scheduler, settings.processes)
    meanwhile = LaterStart(later_start, program, maxform, state)
    notes: list[str] = []
    try:
        left = left_until(deadline, clock)
        turns = math.ceil(parts.n_blocks / executor.slots)
        need = max(MIN_BOUND_SHARE * (time_limit or 0.0), turns * MIN_TASK_SECONDS)
        room = time_limit is None or (left or 0.0) >= need
        if not room:
            state.clock_stopped = True
            notes.append("no time for the bound side after the LP relaxation")
        if large and len(parts.linking_rows) and parts.n_blocks > 2:
            blocks = blocks_of(parts)
            # What the build, the partition and the blocks freed would stay resident beside
            # the run's big arrays.
            release_freed()
            executor.load([block.program for block in blocks])
            sub_options = _subproblem_options(options, engine, settings)
            scale = solve_at_scale(
                parts,
                blocks,
                bundle_of(parts, blocks),
                backend.name,
                sub_options,
                state,
                executor,
                began,
                deadline,
                clock,
            )
            relaxation = replace(relaxation, bound=scale.lp_bound)
        elif room and len(parts.linking_rows) and parts.n_blocks > 2:
            _bound_side(
                parts,
                relaxation.duals,
                backend.name,
                options,
                engine,
                settings,
                state,
                patterns,
                executor,
                began,
                deadline,
                clock,
                meanwhile,
            )
        notes += executor.notes
    finally:
        executor.close()
    meanwhile()
    limits = settings.plan
    if time_limit is None:
        limits = replace(limits, whole=True, whole_nodes=options.node_limit)
    left = left_until(deadline, clock)
    # At scale the whole program's steps overran a short remainder by 15-30 s (500x10x52x1),
    # and a program above WHOLE_PROGRAM_COLUMNS does not fit HiGHS whole.
    short = large and (
        maxform.n_columns > WHOLE_PROGRAM_COLUMNS
        or (left is not None and left < LARGE_SEARCH_SHARE * (time_limit or 0.0))
    )
    if state.gap() > options.gap and not short:
        show = None if options.progress is None else progress_line(options.progress, began, clock)
        search = PlanSearch(
            maxform,
            backend,
            options,
            neighbourhoods,
            state,
            patterns,
            limits,
            deadline,
            clock,
            show,
            relaxed=relaxation.x[: program.n_columns] if len(relaxation.x) else None,
        )
        search.run()
    seconds = clock() - began
    extra = {
        "iterations": float(state.iterations),
        "lagrangian_bound": sense * state.lagrangian,
        "lp_bound": sense * relaxation.bound,
        "linking_rows": float(len(parts.linking_rows)),
        "blocks": float(parts.n_blocks),
        "subproblem_seconds": state.subproblem_seconds,
        "patterns": float(patterns.count()),
        "rounds_repaired": float(min(len(patterns.rounds), limits.repairs)),
        "cover_rows": float(tightened.rows),
    }
    stop = state.stop(options.gap, settings.max_iterations)
    words = (
        f"decomposition: {state.iterations} iterations, gap {state.gap():.2%}, "
        f"best plan from the {state.found_by}"
    )
    return decomposition_result(
        program,
        Found(state.x, state.value, state.bound, state.gap()),
        options.gap,
        seconds=seconds,
        backend=backend.name,
        engine=engine or "",
        message="; ".join(notes if state.x is None else [words, *notes]),
        extra=extra,
        stop=stop,
    )


def _bound_side(
    parts: Partition,
    duals: FloatArray,
    backend: str,
    options: SolverOptions,
    engine: str | None,
    settings: DecomposeSettings,
    state: SearchState,
    patterns: Patterns,
    executor: Executor,
    began: float,
    deadline: float,
    clock: Clock,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Runs the bundle method until it converges, the gap is met or its time share is spent.

    ``meanwhile`` runs in this process while the workers solve the first round.
    """
    program = parts.program
    rows = parts.linking_rows
    blocks = blocks_of(parts)
    executor.load([block.program for block in blocks])
    bundle = bundle_of(parts, blocks)
    mu = bundle.feasible_start(duals[rows])
    stop = deadline if math.isinf(deadline) else began + settings.bound_share * (deadline - began)
    previous: list[FloatArray | None] = [None] * len(blocks)
    predicted = math.inf
    sub_options = _subproblem_options(options, engine, settings)
    last_round = 0.0
    while state.iterations < settings.max_iterations:
        if clock() + last_round >= stop and state.iterations:
            # Safety net: a round that would end past the bound side's time is not started.
            state.clock_stopped = True
            return
        began_round = clock()
        # Subproblems stop on their gap and node limit. Safety net: the round fits in the bound
        # side's time, or half the time left when that is gone (the plan side keeps the rest).
        left = left_until(deadline, clock)
        limit = None
        turns = math.ceil(len(blocks) / executor.slots)
        if left is not None:
            window = max(stop - began_round, 0.5 * left)
            limit = max(min(window, TASK_SPREAD * window / turns), MIN_TASK_SECONDS)
        tasks = [
            Task(
                k,
                priced_objective(block, mu),
                backend,
                replace(sub_options, time_limit=limit),
                previous[k],
            )
            for k, block in enumerate(blocks)
        ]
        # Hard limit of the round: a task past it (an engine ignoring its limit, a dead
        # process) is given up, and the bound side ends with the bound it has.
        hard = None if limit is None else min(left or 0.0, (turns + 1) * limit) + ROUND_GRACE
        solutions = executor.map(tasks, hard, meanwhile if state.evaluations == 0 else None)
        last_round = clock() - began_round
        lost = any(s.status == LOST for s in solutions)
        if lost or (limit is not None and any(s.seconds >= CUT_SHARE * limit for s in solutions)):
            state.clock_stopped = True
        state.evaluations += 1
        state.subproblem_seconds += sum(s.seconds for s in solutions)
        value = sum(s.bound for s in solutions) + bundle.h(mu) + program.offset
        if value < state.lagrangian:
            state.lagrangian = value
        state.bound = min(state.bound, value)
        if lost:  # a valid bound (lost blocks count their LP bound), but no cuts to go on from
            return
        record_round(parts, blocks, solutions, bundle, patterns, previous, state)
        serious = bundle.serious(mu, value, predicted)
        if state.iterations == 0:
            used = sum(
                (blocks[s.block].link @ s.x for s in solutions if len(s.x)),
                start=np.zeros(len(rows)),
            )
            bundle.set_step(bundle.first_step(mu, value, used, FIRST_STEP))
        state.iterations += 1
        report_round(options, state, value, began, clock, serious)
        if state.gap() <= options.gap:
            return
        step = bundle.next_point()
        if step is None:
            return
        mu, predicted = step[0], step[1] + program.offset
        if bundle.centre_value - predicted <= settings.converged * max(
            abs(bundle.centre_value), 1.0
        ):
            return


def _subproblem_options(
    options: SolverOptions, engine: str | None, settings: DecomposeSettings
) -> SolverOptions:
    """Returns the options of every subproblem: the settings' gap and nodes, lean heuristics."""
    return SolverOptions(
        engine=engine,
        gap=settings.subproblem_gap,
        seed=options.seed,
        threads=None,
        node_limit=settings.subproblem_nodes,
        heuristics=False,
    )
