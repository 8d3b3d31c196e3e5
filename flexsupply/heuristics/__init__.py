"""A good first plan before the MIP engine starts: LP diving, then fix-and-optimise.

The engines' own heuristics often find no plan at all within a minute on a season with MOQs,
setup times and tight factory minutes; these give them a feasible start (a solution hint) and
guarantee a time-limited solve a plan whenever the dive finds one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.heuristics.fix_optimize import fix_and_optimize
from flexsupply.heuristics.lp_dive import dive, first_incumbent
from flexsupply.model.program import LinearProgram

FEASIBILITY_TOLERANCE = 1e-5
"""Largest row, bound or integrality violation accepted in a start [units or currency]."""


@dataclass(frozen=True)
class WarmStart:
    """A feasible plan for a program, found before the engine runs."""

    x: FloatArray
    objective: float
    """Objective of ``x``, offset included [currency]."""
    dive_objective: float
    """Objective of the dive's plan, before fix-and-optimise [currency]."""
    seconds: float
    """Time spent [seconds]."""
    subproblems: int
    """Fix-and-optimise sub-MIPs solved."""
    time_limited: bool = False
    """True when the budget ran out: another run, on a machine more or less busy, may differ."""

    def summary(self) -> str:
        """Returns one line for the solver log."""
        return (
            f"warm start: dive {self.dive_objective:,.2f}, fix-and-optimise {self.objective:,.2f} "
            f"({self.subproblems} sub-MIPs), {self.seconds:.1f} s"
        )


FirstPlan = Callable[[float], FloatArray | None]
"""Another way to a first plan: called with a ``time.perf_counter()`` deadline, returns a
solution of the program or None."""
DETERMINISTIC_SWEEPS = 1
"""Fix-and-optimise sweeps when sub-MIPs are bounded by nodes: a fixed amount of work, so the
warm start ends at the same plan however busy the machine is."""
OTHER_PLANS_SHARE = 0.5
"""Share of the time for a first plan that the dive may take before the other ways to a first
plan are tried."""


def warm_start(
    program: LinearProgram,
    neighbourhoods: Sequence[IntArray],
    budget: float,
    seed: int = 0,
    first_plan_budget: float | None = None,
    other_first_plans: Sequence[FirstPlan] = (),
    node_limit: int | None = None,
    dive_first: bool = True,
) -> WarmStart | None:
    """Returns a feasible plan for ``program`` found within ``budget`` seconds, or None.

    The dive comes first. With ``other_first_plans`` (for a season with several demand
    scenarios, the mean-demand plan of ``mean_value.py``) it may take ``OTHER_PLANS_SHARE`` of
    the time for a first plan, and only when it finds no plan in that time do they run. When nothing has a
    plan, HiGHS's MIP search looks for one. Finding a first plan may take up to
    ``first_plan_budget`` seconds (default ``budget``): without a plan there is nothing to
    improve and the engines rarely find one on large seasons. Fix-and-optimise then improves
    the best first plan until ``budget`` seconds from the start.

    ``neighbourhoods`` give the part (period, style) of each integer column, one array per
    kind of part (see ``fix_and_optimize``). ``node_limit`` bounds each fix-and-optimise
    sub-MIP by nodes rather than by time, which makes the plan independent of the machine's
    load whenever the budget does not run out. Without ``dive_first`` (and with
    ``other_first_plans``) the dive is skipped: they get the whole time for a first plan.
    """
    started = time.perf_counter()
    deadline = started + budget
    first_deadline = started + max(budget, first_plan_budget or 0.0)
    dive_deadline = first_deadline
    if other_first_plans:
        dive_deadline = started + OTHER_PLANS_SHARE * (first_deadline - started)
    candidates = []
    cut = False
    if dive_first or not other_first_plans:
        x = dive(program, dive_deadline)
        # A dive the clock cut short makes the first plan depend on the machine's load.
        cut = x is None and time.perf_counter() >= dive_deadline
        if x is not None and program.violation(x) <= FEASIBILITY_TOLERANCE:
            candidates.append(x)
    for make in other_first_plans if not candidates else ():
        x = make(first_deadline)
        if x is not None and program.violation(x) <= FEASIBILITY_TOLERANCE:
            candidates.append(x)
    if not candidates:
        x = first_incumbent(program, first_deadline)
        if x is not None and program.violation(x) <= FEASIBILITY_TOLERANCE:
            candidates.append(x)
    if not candidates:
        return None
    sign = 1.0 if program.maximize else -1.0
    first = max(candidates, key=lambda candidate: sign * program.value(candidate))
    improved = fix_and_optimize(
        program,
        first,
        neighbourhoods,
        deadline,
        seed,
        node_limit,
        max_sweeps=None if node_limit is None else DETERMINISTIC_SWEEPS,
    )
    x = improved.x
    if program.violation(x) > FEASIBILITY_TOLERANCE:
        x = first
    x = np.clip(x, program.col_lower, program.col_upper)
    seconds = time.perf_counter() - started
    return WarmStart(
        x=x,
        objective=program.value(x),
        dive_objective=program.value(first),
        seconds=seconds,
        subproblems=improved.subproblems,
        time_limited=cut or improved.time_limited or seconds >= budget,
    )
