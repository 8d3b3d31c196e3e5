"""Decomposition by scenario: a bound from priced first-stage copies, plans from exact recourse.

For seasons with many demand scenarios (spring-drop at 100 and 200) the whole program is too
large for one engine call or even a dive (81 s of a 120 s limit on spring-drop:100), but
without its first stage it falls apart by scenario (``scenario_parts.py``), and each scenario
part by style (``part_solve.py``). Two sides, the parts on local processes:

- **Bound.** Each part k gets a copy s_k of the first stage and the agreement s_k = s is
  relaxed with multipliers λ_k summing to zero. For any such λ (Lagrangian duality),

      z ≤ offset + Σ_k max{ c_k·x_k + (w_k c_S + λ_k)·s_k : (x_k, s_k) ∈ X_k }

  where w_k is the probability of part k's scenarios; λ = 0 gives the wait-and-see bound.
  Each part's proven bound enters (its by-style Lagrangian bound, at least its optimum), so
  every round is a valid bound; λ moves by stabilised Polyak steps toward the best plan
  (``scenario_prices.py``).
- **Plan.** A first stage fixed, each part's recourse is its own MILP (by style, proven within
  ``RECOURSE_GAP``, else through the chosen backend) and the parts' plans together are a plan
  of the whole program, feasible by construction (checked). First stages tried: the one given (the
  mean-demand plan's), then each round's consensus of the
  parts' copies (the probability vote on every switch, the mean quantity where it is on,
  projected onto the first stage's own rows by a small MILP).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray
from flexsupply.backends import Progress, SolverOptions, get_backend
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.part_solve import PartJob, PartPool
from flexsupply.solve.decompose.scenario_parts import ScenarioParts
from flexsupply.solve.decompose.scenario_prices import Prices

ROUNDS = 4
"""Rounds of the bound side by default (each: every part, then a plan from the consensus): a
work limit, so the plan does not depend on the machine's load."""
BOUND_GAP = 0.01
"""Gap handed to a bound-side part (its style MILPs are solved to 1 % of it)."""
RECOURSE_GAP = 2e-3
"""Relative gap within which a part's recourse plan needs no polishing (plan side)."""
PART_NODES = 500
"""Node limit of a part's fallback MILP on the plan side."""
VOTE = 0.5
"""A first-stage switch is on in the consensus when parts of at least this probability turn
it on."""
ROUND_GRACE = 1.0
"""A round's hard limit is the time left plus this [seconds]."""


@dataclass
class SplitState:
    """What the split found so far, in the sense of max (the caller's program negated if min).

    Attributes:
        x: best plan of the whole program, or None.
        value: its objective, offset included [currency].
        bound: best proven bound [currency].
        rounds: bound rounds done.
        plans: first stages whose recourse was solved.
        notes: what stopped a step, in words.
        tried: each first stage tried, by name, with its plan's value [currency].
        found_by: the name of the first stage of the best plan.
    """

    x: FloatArray | None = None
    value: float = -math.inf
    bound: float = math.inf
    rounds: int = 0
    plans: int = 0
    notes: list[str] = field(default_factory=list)
    tried: dict[str, float] = field(default_factory=dict)
    found_by: str = ""

    def incumbent(self) -> float | None:
        """Returns the best plan's value, or None without a plan [currency]."""
        return None if self.x is None else self.value

    def gap(self) -> float:
        """Returns the relative gap between bound and plan (inf without a plan)."""
        if self.x is None or not math.isfinite(self.bound):
            return math.inf
        return max(self.bound - self.value, 0.0) / max(abs(self.value), 1.0)


@dataclass(frozen=True)
class SplitRun:
    """How the split runs.

    Attributes:
        backend: backend of the plan side's fallback MILPs.
        options: gap (the stop), seed, engine and log of the whole solve.
        pool: where the parts run.
        deadline: safety net, a ``clock`` value [seconds].
        rounds: bound rounds at most.
        clock: the time source [seconds].
        began: when the solve began, a ``clock`` value (for the progress line) [seconds].
    """

    backend: str
    options: SolverOptions
    pool: PartPool
    deadline: float
    rounds: int = ROUNDS
    clock: Callable[[], float] = time.perf_counter
    began: float = field(default_factory=time.perf_counter)

    def part_options(self) -> SolverOptions:
        """Returns the options of a part's fallback MILP.

        No log and no callback (they would not pickle); ``PART_NODES`` nodes unless the
        options set a node limit.
        """
        options = self.options
        return replace(
            options, node_limit=options.node_limit or PART_NODES, log=False, progress=None
        )

    def left(self) -> float | None:
        """Returns the seconds left before the deadline (at least 1), None without one."""
        if math.isinf(self.deadline):
            return None
        return max(self.deadline - self.clock(), 1.0)

    def hard(self) -> float | None:
        """Returns a round's hard limit: the time left plus ``ROUND_GRACE`` [seconds].

        Returns:
            Seconds, None without a deadline.
        """
        if math.isinf(self.deadline):
            return None
        return max(self.deadline - self.clock(), 0.0) + ROUND_GRACE


def split_solve(
    program: LinearProgram,
    parts: ScenarioParts,
    run: SplitRun,
    first: FloatArray | None = None,
    start: FloatArray | None = None,
) -> SplitState:
    """Returns the best plan and bound of ``program`` (a maximisation) split by scenario.

    Args:
        program: the whole program, maximised.
        parts: its parts (``scenario_parts``).
        run: backend, options, processes and limits.
        first: a first stage (values of ``parts.shared``) to try, made to meet the first
            stage's own rows, before the rounds.
        start: a plan of the whole program (the warm start): when feasible, the plan
            returned is never worse, and its first stage is tried first, each part keeping
            the better of its recourse and the start's.

    Returns:
        The ``SplitState``: ``value`` and ``bound`` include the program's offset [currency].
    """
    state = SplitState()
    blocks = parts.programs(program)
    first_cost = program.objective[parts.shared]
    # The parts' LP bounds first (0.1 s a part): a valid bound at once (their sum is at least
    # the LP bound without the first stage's agreement), and what a part given up later counts;
    # the warm start may leave little time.
    lp_jobs = [
        PartJob(block, "lp", 0.0, run.left(), run.backend, run.part_options()) for block in blocks
    ]
    relaxed = np.array([answer.bound for answer in run.pool.map(lp_jobs, run.hard())])
    state.bound = min(state.bound, program.offset + float(relaxed.sum()))
    if start is not None and program.violation(start) <= FEASIBILITY_TOLERANCE:
        state.x, state.value, state.found_by = start, program.value(start), "warm start"
        state.tried["warm start"] = state.value
        _plan(program, parts, blocks, start[parts.shared], run, state, "warm start", start)
    if first is not None and run.clock() < run.deadline:
        chosen = consensus(program, parts, first[None], np.ones(1), run)
        if chosen is not None:
            _plan(program, parts, blocks, chosen, run, state, "mean demand")
    prices = Prices(np.zeros((parts.n_parts, len(parts.shared))))
    multipliers: FloatArray | None = prices.centre
    while multipliers is not None and state.rounds < run.rounds and run.clock() < run.deadline:
        jobs = [
            PartJob(
                replace(block, objective=_priced(block, parts, k, first_cost, multipliers[k])),
                "bound",
                BOUND_GAP,
                run.left(),
                run.backend,
                run.part_options(),
            )
            for k, block in enumerate(blocks)
        ]
        answers = run.pool.map(jobs, run.hard())
        state.rounds += 1
        lost = np.array([answer.bound for answer in answers])
        if not multipliers.any():  # at λ = 0 a part's LP bound is valid too
            lost = np.minimum(lost, relaxed)
        value = program.offset + float(lost.sum())
        state.bound = min(state.bound, value)
        copies = _copies(parts, [answer.x for answer in answers])
        agreed = None if copies is None else consensus(program, parts, copies, parts.weights, run)
        if agreed is not None and run.clock() < run.deadline:
            _plan(program, parts, blocks, agreed, run, state, f"consensus {state.rounds}")
        _report(run, state, value)
        if state.gap() <= run.options.gap or state.x is None:
            break
        multipliers = prices.after(multipliers, value, copies, state.value)
    if run.pool.lost:
        state.notes.append(
            f"{run.pool.lost} scenario part(s) ran past the time limit or lost their process "
            "and were given up"
        )
    return state


def _report(run: SplitRun, state: SplitState, value: float) -> None:
    """Shows the round in the log and on the progress line."""
    options = run.options
    if options.progress is not None:
        options.progress(Progress(run.clock() - run.began, state.incumbent(), state.bound))
    if options.log:
        best = "-" if state.x is None else f"{state.value:,.2f}"
        print(
            f"by scenario: round {state.rounds} bound {value:,.2f} best bound "
            f"{state.bound:,.2f} plan {best} gap {state.gap():.2%}"
        )


def _priced(
    block: LinearProgram, parts: ScenarioParts, k: int, first_cost: FloatArray, lam: FloatArray
) -> FloatArray:
    """Returns part k's objective with its first-stage copy priced by ``lam``."""
    objective = block.objective.copy()
    n = len(parts.shared)
    objective[len(objective) - n :] = parts.weights[k] * first_cost + lam
    return objective


def _copies(parts: ScenarioParts, solutions: list[FloatArray]) -> FloatArray | None:
    """Returns each part's first-stage copy ``(n_parts, n_shared)``, or None if one is missing."""
    n = len(parts.shared)
    if any(len(x) < n for x in solutions):
        return None
    return np.stack([x[len(x) - n :] for x in solutions])


def consensus(
    program: LinearProgram,
    parts: ScenarioParts,
    copies: FloatArray,
    weights: FloatArray,
    run: SplitRun,
) -> FloatArray | None:
    """Returns a first stage near the copies that meets the first stage's own rows, or None.

    ``copies`` holds first stages ``(n, n_shared)`` with their ``weights``. The target of each column is the probability-weighted mean of its copies; an integer
    column whose parts use it with probability ``VOTE`` or more aims at its mean where used.
    A MILP over the first stage and its own rows then finds the nearest first stage (weighted
    by the column's range). Returns None when that MILP finds none.
    """
    shared = parts.shared
    weights = weights / weights.sum()
    mean = weights @ copies
    used = weights @ (copies > FEASIBILITY_TOLERANCE)
    integer = program.integer[shared]
    lower, upper = program.col_lower[shared], program.col_upper[shared]
    on = used >= VOTE
    target = np.where(on & (used > 0), mean / np.maximum(used, 1e-12), 0.0)
    target = np.where(integer & (upper <= 1.0) & (lower >= 0.0), on.astype(float), target)
    n = len(shared)
    scale = 1.0 / np.maximum(np.where(np.isfinite(upper), np.abs(upper), np.abs(target)), 1.0)
    rows = parts.shared_rows
    own = program.matrix.tocsr()[rows][:, shared]
    eye = sp.identity(n, format="csr")
    matrix = sp.vstack(
        [sp.hstack([own, sp.csr_matrix((len(rows), 2 * n))]), sp.hstack([eye, -eye, eye])]
    ).tocsr()
    projection = LinearProgram(
        objective=np.concatenate([np.zeros(n), -scale, -scale]),
        offset=0.0,
        matrix=matrix,
        row_lower=np.concatenate([program.row_lower[rows], target]),
        row_upper=np.concatenate([program.row_upper[rows], target]),
        col_lower=np.concatenate([lower, np.zeros(2 * n)]),
        col_upper=np.concatenate([upper, np.full(2 * n, np.inf)]),
        integer=np.concatenate([integer, np.zeros(2 * n, dtype=bool)]),
        maximize=True,
        column_blocks={},
        row_blocks={},
    )
    options = replace(run.options, gap=1e-6, log=False, progress=None, time_limit=run.left())
    result = get_backend(run.backend).solve(projection, options)
    if not result.status.has_plan:
        return None
    whole = np.round(result.x[:n][integer])
    # The engine's integers are integral only to its tolerance: with them rounded, the LP
    # that is left sets the quantities again (a switch at 1e-7 could keep a tiny order).
    fixed_lower, fixed_upper = projection.col_lower.copy(), projection.col_upper.copy()
    fixed_lower[:n][integer] = fixed_upper[:n][integer] = whole
    relaxed = replace(
        projection,
        col_lower=fixed_lower,
        col_upper=fixed_upper,
        integer=np.zeros(projection.n_columns, dtype=bool),
    )
    again = get_backend(run.backend).solve(relaxed, options)
    if not again.status.has_plan:
        return None
    first = np.clip(again.x[:n], lower, upper)
    first[integer] = whole
    return first


def _plan(
    program: LinearProgram,
    parts: ScenarioParts,
    blocks: list[LinearProgram],
    first: FloatArray,
    run: SplitRun,
    state: SplitState,
    name: str,
    fallback: FloatArray | None = None,
) -> None:
    """Solves every part's recourse with the first stage fixed at ``first``; keeps a better plan.

    ``fallback`` is a plan of the whole program with this first stage: a part whose recourse
    is worse than (or missing beside) the fallback's own keeps the fallback's, so the plan is
    never worse than it (the parts are independent once the first stage is fixed). Past the
    deadline nothing is solved (a new round of processes would only overrun it).
    """
    if run.clock() >= run.deadline:
        state.notes.append(f"no time was left to score the {name} first stage")
        return
    options = run.part_options()
    fixed = parts.fixed(blocks, first)
    jobs = [
        PartJob(block, "plan", RECOURSE_GAP, run.left(), run.backend, options) for block in fixed
    ]
    answers = run.pool.map(jobs, run.hard())
    state.plans += 1
    solutions = [answer.x for answer in answers]
    if fallback is not None:
        solutions = [
            _better(block, x, np.concatenate([fallback[own], first]))
            for block, x, own in zip(fixed, solutions, parts.columns, strict=True)
        ]
    if any(len(x) == 0 for x in solutions):
        state.notes.append(
            f"the {name} first stage left a scenario without a recourse plan in time"
        )
        return
    x = parts.assemble(program.n_columns, solutions, first)
    if program.violation(x) > FEASIBILITY_TOLERANCE:
        state.notes.append(f"a plan glued from the scenarios ({name}) broke a row; not kept")
        return
    value = program.value(x)
    state.tried[name] = value
    if value > state.value:
        state.x, state.value, state.found_by = x, value, name
    if run.options.log:
        print(
            f"by scenario: recourse of the {name} first stage: {value:,.2f} "
            f"({run.clock() - run.began:.1f} s)"
        )


def _better(block: LinearProgram, x: FloatArray, other: FloatArray) -> FloatArray:
    """Returns the better of two solutions of a part's fixed program (``x`` may be empty)."""
    if len(x) == 0 or block.value(other) > block.value(x):
        return other
    return x
