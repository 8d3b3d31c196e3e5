"""The plan side's state and work limits: the best plan and bound so far, and the step limits.

``primal.py`` runs the plan side's steps on them; the bound side (``method.py``, ``scale.py``)
updates the same ``SearchState``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from flexsupply.arrays import FloatArray
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.model.program import LinearProgram

Clock = Callable[[], float]
SAFETY_SECONDS = 0.05
"""A step that ends with less than this left before the deadline counts as cut by it [seconds]."""


@dataclass
class SearchState:
    """The best plan and bound so far, in maximisation form.

    Attributes:
        x: the best plan feasible for the whole program (None before the first).
        value: its objective [currency].
        bound: the tightest proven bound [currency].
        iterations: multiplier updates so far; ``evaluations`` Lagrangian evaluations.
        subproblem_seconds: solver time of all subproblems [seconds].
        lagrangian: the best Lagrangian bound [currency].
        clock_stopped: the time limit (not a work limit) ended some step: another run may differ.
        found_by: the step that found the best plan (``start``, ``glued``, ``repair``, ...).
    """

    x: FloatArray | None
    value: float
    bound: float
    iterations: int = 0
    evaluations: int = 0
    subproblem_seconds: float = 0.0
    lagrangian: float = math.inf
    clock_stopped: bool = False
    found_by: str = "start"

    def gap(self) -> float:
        """Returns the relative gap between plan and bound (inf without either)."""
        if self.x is None or not math.isfinite(self.bound):
            return math.inf
        return (self.bound - self.value) / max(abs(self.value), 1e-9)

    def stop(self, gap: float, rounds: int) -> str:
        """Returns what ended the search: the clock, the ``gap``, or which work limit."""
        if self.clock_stopped:
            return "time_limit"
        if self.gap() <= gap:
            return "gap"
        return "iteration_limit" if self.iterations >= rounds else "converged"

    def check_clock(self, deadline: float, clock: Clock) -> bool:
        """Records whether ``deadline`` has passed (a step ending there was cut by it).

        Returns:
            True when no time is left.
        """
        over = clock() >= deadline - SAFETY_SECONDS
        self.clock_stopped |= over
        return over


@dataclass(frozen=True)
class PlanLimits:
    """The work limits of the plan side.

    Attributes:
        repairs: how many of the last Lagrangian solutions are repaired.
        repair_nodes: nodes of the MIP that re-plans the styles in broken rows (0: only the
            LP dive repairs).
        repair_mips: how many of the repaired solutions (newest first) get that MIP: its root
            is most of its cost (on spring-drop as long as the LP dive of every style).
        single_nodes: nodes of each sub-MIP that, before that MIP, re-plans one style the
            newest solution breaks rows with, every other style at the best plan (0: skipped).
            On spring-drop one style's root takes 2-6 s where the MIP over 8 styles spends
            minutes at its root, and five of them passed that MIP's plan.
        single_rest: after the freed styles, re-plan also every other style the best plan loses
            on against the Lagrangian solution, most first (spring-drop, round 1: 458,373 over
            the 10 freed styles, 461,367 over 29, ``benchmarks/results/single-pairs.md``).
        single_width: styles of those sub-MIPs re-planned from the same plan at once, merged in
            order (``pairs.py``: the batch's styles share no row the solution breaks).
        single_processes: processes of those batches, this one included (None: all cores), at
            most ``single_width``; the plan does not depend on it.
        style_nodes: nodes of each fix-and-optimise-by-style sub-MIP (None: no limit).
        style_sweeps: sweeps of fix-and-optimise by style over every group of styles.
        style_integers: integer columns a group of styles frees, about; fix-and-optimise by
            style runs only on seasons where a group holds at least two styles on average (on
            spring-drop a style alone has 400: one sub-MIP per style would take minutes).
        style_width: groups of styles re-planned from the same plan at once, on as many
            processes as cores allow, then merged in order (``sweeps.py``; 1: one at a time).
        style_processes: processes of those groups (None: all cores), at most ``style_width``;
            the plan does not depend on it.
        style_tight: every other sweep, from the first, frees together the styles that share
            the rows the best plan leaves least room in (``sweeps.tight_groups``).
        neighbourhood_nodes: branch-and-bound nodes of the neighbourhood MIP (0: skipped).
        master_nodes: nodes of the restricted master (0: skipped; None: no limit).
        fix_nodes: nodes of each fix-and-optimise sub-MIP (None: no limit).
        fix_sweeps: fix-and-optimise sweeps over every neighbourhood.
        whole_nodes: nodes of the final engine call on the whole program (None: no limit);
            the call is made only when ``whole`` is set.
        whole: run the engine on the whole program at the end.
        whole_engine: the engine of that call when the backend has it (None: the options').
        rins_rounds: neighbourhood MIPs around the best plan where the LP relaxation and the
            plan disagree (``rins.py``), before fix-and-optimise by style (0: skipped).
        rins_nodes: nodes of each of those MIPs (None: no limit).
        mip_rows: the MIP steps (neighbourhood, master, fix-and-optimise) run only on programs
            of at most this many rows. Their cost is the root of a MIP over the whole program:
            on spring-drop (67,000 rows) one node-limited fix-and-optimise sub-MIP took 150 s
            at load 10, where the repair's LP dive takes 7-18 s. A count, so the same program
            always gets the same steps.
    """

    repairs: int = 2
    repair_nodes: int = 50
    repair_mips: int = 1
    single_nodes: int = 20
    single_rest: bool = True
    single_width: int = 2
    single_processes: int | None = None
    style_nodes: int | None = 50
    style_sweeps: int = 1
    style_integers: int = 200
    style_width: int = 1
    style_processes: int | None = None
    style_tight: bool = False
    neighbourhood_nodes: int = 200
    master_nodes: int | None = 0
    fix_nodes: int | None = 100
    fix_sweeps: int = 1
    whole_nodes: int | None = None
    whole: bool = False
    whole_engine: str | None = None
    mip_rows: int = 20_000
    rins_rounds: int = 0
    rins_nodes: int | None = 1


class LaterStart:
    """A start found later (``decompose``'s ``later_start``), kept when feasible and better."""

    def __init__(
        self,
        find: Callable[[], FloatArray | None] | None,
        program: LinearProgram,
        maxform: LinearProgram,
        state: SearchState,
    ) -> None:
        self._find, self._program, self._maxform, self._state = find, program, maxform, state

    def __call__(self) -> None:
        """Finds the start, once, and keeps it in the state if it is better than its plan."""
        find, self._find = self._find, None
        x = None if find is None else find()
        if x is None or self._program.violation(x) > FEASIBILITY_TOLERANCE:
            return
        value = self._maxform.value(x)
        if value > self._state.value:
            self._state.x, self._state.value, self._state.found_by = x, value, "start"


def left_until(deadline: float, clock: Clock) -> float | None:
    """Returns the seconds left until ``deadline``, None without one."""
    return None if math.isinf(deadline) else max(deadline - clock(), 0.0)
