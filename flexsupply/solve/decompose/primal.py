"""The plan side: better plans for the whole season from what the bound side generated.

In turn, each from the best plan so far:

1. **repair** each of the last Lagrangian solutions (every style's best plan at the multipliers,
   feasible for its own rows but breaking a few linking rows, usually factory capacity): the
   styles in the broken rows are re-planned while every other style keeps its Lagrangian plan
   (``style_fix.py``): by LP dives, then one freed style at a time (cheap node-limited sub-MIPs
   from the best plan, the others at it), then by one node-limited MIP over all of them;
2. **fix-and-optimise by style** (``style_fix.py``): groups of styles are re-planned in turn
   with every other style wholly fixed, so each sub-MIP is small whatever the season's size;
3. the **neighbourhood MIP**: orders switched on by the best plan or by the last Lagrangian
   solution stay free, every other order is closed, and HiGHS searches that neighbourhood from
   the best plan (overflow moves to the other supplier or week either plan used);
4. the restricted master over the per-style setup patterns (``master.py``);
5. fix-and-optimise on the whole program;
6. with no time limit, the engine on the whole program: its bound
   counts too, and without a limit this makes the method exact.

Every step stops on a work limit (nodes, sweeps, a fixed number of repairs), so the same input
gives the same plan on a busy machine; the time limit is only a safety net, and
``SearchState.clock_stopped`` records when it cut a step. A plan is kept only when it is
feasible for the whole program and better than the last.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray, IntArray
from flexsupply.backends import SolverOptions, backend_info
from flexsupply.backends.result import Backend
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.fix_optimize import fix_and_optimize
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.heuristics.lp_dive import binary_columns, dive
from flexsupply.model.program import SHARED, LinearProgram
from flexsupply.solve.decompose.master import Patterns, restricted_master
from flexsupply.solve.decompose.style_fix import StyleFix
from flexsupply.solve.decompose.sweeps import Sweeps, sweep_processes

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


def left_until(deadline: float, clock: Clock) -> float | None:
    """Returns the seconds left until ``deadline``, None without one."""
    return None if math.isinf(deadline) else max(deadline - clock(), 0.0)


@dataclass
class PlanSearch:
    """The plan side of one decomposition run: what every step needs, and the steps.

    Attributes:
        program: the whole program, in maximisation form.
        backend: solves the restricted master and the final engine call.
        options: engine, gap, seed and log of the run.
        neighbourhoods: parts for fix-and-optimise (``heuristics.mean_value.neighbourhoods``).
        state: the best plan and bound so far (updated in place).
        patterns: the setup patterns and the Lagrangian solutions of every round.
        limits: the work limits of each step.
        deadline: the time limit's end on ``clock`` (a safety net; ``inf`` without one).
        clock: the time source [seconds].
    """

    program: LinearProgram
    backend: Backend
    options: SolverOptions
    neighbourhoods: Sequence[IntArray]
    state: SearchState
    patterns: Patterns
    limits: PlanLimits
    deadline: float
    clock: Clock
    _styles: StyleFix | None = field(default=None, init=False, repr=False)

    def run(self) -> None:
        """Improves the plan by the steps of the module docstring, each from the best plan.

        Every plan kept is feasible for ``program`` and better than the last.
        """
        state, gap = self.state, self.options.gap
        steps: tuple[Callable[[], None], ...] = (self.repair, self.by_style)
        if self.program.n_rows <= self.limits.mip_rows:
            steps += (self.neighbourhood, self.master, self.fix)
        for step in steps:
            if state.gap() <= gap or state.check_clock(self.deadline, self.clock):
                return
            step()
        if self.limits.whole and state.gap() > gap:
            self.whole()

    def left(self) -> float | None:
        """Returns the seconds left before the deadline (None without one)."""
        return left_until(self.deadline, self.clock)

    def perf_deadline(self) -> float:
        """Returns the deadline as a ``time.perf_counter()`` value (the heuristics' clock)."""
        left = self.left()
        return math.inf if left is None else time.perf_counter() + left

    def say(self, words: str) -> None:
        """Prints one line of the solver log, with the best plan so far."""
        if self.options.log:
            print(f"decompose: {words}; plan {self.state.value:,.2f}")

    def repair(self) -> None:
        """Repairs the last Lagrangian solutions into plans for the whole program, newest first.

        Only the styles in the rows a solution breaks are re-planned; every other style keeps
        its Lagrangian plan (``style_fix.py``). An LP dive re-plans them first: the orders
        the solution switched off stay closed, and the dive chooses which of the others to
        keep and their sizes so that every linking row holds. A node-limited MIP over the
        same styles then starts from the dive's plan. The dive also runs on every style, with
        the orders the solution switched off closed, before that MIP.
        """
        program = self.program
        binary = binary_columns(program)
        support = program.styles()[binary] == SHARED
        count = self.limits.repairs
        rounds = self.patterns.rounds[-count:] if count else []
        for number, solution in enumerate(reversed(rounds)):
            if self.state.check_clock(self.deadline, self.clock):
                return
            support_of = support | (np.round(solution[binary]) > 0.5)
            free = self.styles().to_free(solution)
            restricted = self.styles().restricted(free, solution)
            x = self._dive(_closed(restricted, binary, support_of), int(free.sum()))
            if not free.all():
                # Cheaper than the MIP below: the plan a short time limit keeps (spring-drop,
                # 60 s: 448,310 against 440,604 for the dive over the freed styles alone).
                self._dive(_closed(program, binary, support_of), self.styles().n_styles)
            if number == 0 and self.limits.single_nodes:
                self.one_style_at_a_time(free)
            if self.limits.repair_nodes and number < self.limits.repair_mips:
                self.repair_by_style(free, solution, x)

    def _dive(self, program: LinearProgram, styles: int) -> FloatArray | None:
        """Returns the LP dive's plan for ``program`` (kept when better), or None."""
        x = dive(program, self.perf_deadline())
        kept = x is not None and _keep(self.program, x, self.state, "repair")
        value = "no plan" if x is None else f"{program.value(x):,.2f}"
        self.say(f"LP dive re-planned {styles} styles: {value}{' kept' if kept else ''}")
        return x

    def one_style_at_a_time(self, free: BoolArray) -> None:
        """Re-plans each style of ``free`` alone (ascending), every other style at the best plan.

        Each sub-MIP starts from the best plan, stops at ``limits.single_nodes`` nodes and
        runs without HiGHS's restart (it would re-run the root, the whole cost here).
        """
        state = self.state
        if state.x is None:
            return
        styles, better = self.styles(), 0
        for style in np.flatnonzero(free):
            if state.check_clock(self.deadline, self.clock):
                return
            one = np.zeros(styles.n_styles, dtype=bool)
            one[style] = True
            x = styles.solve(
                one, state.x, self.limits.single_nodes, self.perf_deadline(), state.x, False
            )
            better += x is not None and _keep(self.program, x, state, "repair one style at a time")
        self.say(f"re-planned {int(free.sum())} styles one at a time ({better} better)")

    def styles(self) -> StyleFix:
        """Returns the whole program loaded for fix-and-optimise by style (loaded once)."""
        if self._styles is None:
            self._styles = StyleFix(self.program)
        return self._styles

    def repair_by_style(
        self, free: BoolArray, solution: FloatArray, start: FloatArray | None
    ) -> FloatArray | None:
        """Re-plans the styles ``free`` by a MIP, the others fixed at the Lagrangian ``solution``.

        Returns:
            The MIP's plan, feasible for the whole program (kept if better), or None.
        """
        x = self.styles().solve(
            free, solution, self.limits.repair_nodes, self.perf_deadline(), start=start
        )
        self.state.check_clock(self.deadline, self.clock)
        kept = x is not None and _keep(self.program, x, self.state, "repair by style")
        value = "no plan" if x is None else f"{self.program.value(x):,.2f}"
        self.say(f"MIP re-planned {int(free.sum())} styles: {value}{' kept' if kept else ''}")
        return x

    def by_style(self) -> None:
        """Runs fix-and-optimise by style from the best plan, ``limits.style_sweeps`` sweeps."""
        state, limits = self.state, self.limits
        if state.x is None or limits.style_sweeps <= 0:
            return
        styles = self.styles()
        width = limits.style_width
        sweeps = Sweeps(
            styles, width, sweep_processes(limits.style_processes, width), limits.style_tight
        )
        try:
            for sweep in range(limits.style_sweeps):
                groups = sweeps.groups(sweep, self.options.seed, limits.style_integers, state.x)
                if not 2 <= len(groups) <= styles.n_styles / 2:
                    return
                better = 0
                for x in sweeps.sweep(
                    groups,
                    lambda: state.x,
                    limits.style_nodes,
                    self.perf_deadline(),
                    lambda: state.check_clock(self.deadline, self.clock),
                ):
                    better += _keep(self.program, x, state, "fix-and-optimise by style")
                if state.check_clock(self.deadline, self.clock):
                    return
                self.say(f"fix-and-optimise by style ({len(groups)} sub-MIPs, {better} better)")
                if not better:
                    return
        finally:
            sweeps.close()

    def neighbourhood(self) -> None:
        """Searches the orders the best plan or the last Lagrangian solution opened."""
        program, state = self.program, self.state
        if state.x is None or not self.limits.neighbourhood_nodes:
            return
        binary = binary_columns(program)
        support = (program.styles()[binary] == SHARED) | (np.round(state.x[binary]) > 0.5)
        if self.patterns.rounds:
            support |= np.round(self.patterns.rounds[-1][binary]) > 0.5
        mip = HighsCopy(_closed(program, binary, support), integer=True)
        mip.set_option("mip_rel_gap", self.options.gap)
        mip.set_option("mip_max_nodes", self.limits.neighbourhood_nodes)
        found = mip.run(self.left(), start=state.x)
        state.check_clock(self.deadline, self.clock)
        kept = found and _keep(program, mip.values(), state, "neighbourhood")
        self.say(
            f"neighbourhood MIP ({int(support.sum())} orders free)"
            f"{' found a better plan' if kept else ''}"
        )

    def master(self) -> None:
        """Solves the restricted master over the setup patterns, from the best plan."""
        state, patterns = self.state, self.patterns
        if state.x is None or not patterns.count() or self.limits.master_nodes == 0:
            return
        master, master_start = restricted_master(self.program, patterns, state.x)
        # The master goes to the options' engine: under OR-Tools only SCIP takes the start.
        sub_options = SolverOptions(
            engine=self.options.engine,
            time_limit=self.left(),
            gap=self.options.gap,
            seed=self.options.seed,
            node_limit=self.limits.master_nodes,
        )
        result = self.backend.solve(master, sub_options, start=master_start)
        state.clock_stopped |= result.stop == "time_limit"
        if result.status.has_plan:
            _keep(self.program, result.x[: self.program.n_columns], state, "master")
        self.say(
            f"restricted master ({patterns.count()} patterns, {result.status}, "
            f"{result.objective:,.2f} in {result.seconds:.1f} s)"
        )

    def fix(self) -> None:
        """Runs fix-and-optimise from the best plan for ``limits.fix_sweeps`` sweeps."""
        state, limits = self.state, self.limits
        if not self.neighbourhoods or state.x is None or limits.fix_sweeps <= 0:
            return
        improved = fix_and_optimize(
            self.program,
            state.x,
            self.neighbourhoods,
            self.perf_deadline(),
            self.options.seed,
            node_limit=limits.fix_nodes,
            max_sweeps=limits.fix_sweeps,
        )
        state.clock_stopped |= improved.time_limited
        _keep(self.program, improved.x, state, "fix-and-optimise")
        self.say(f"fix-and-optimise ({improved.subproblems} sub-MIPs, {improved.improved} better)")

    def whole(self) -> None:
        """Runs the engine on the whole program from the best plan; its bound counts too."""
        state = self.state
        engine = self.limits.whole_engine
        if engine not in backend_info(self.backend.name).engine_names:
            engine = self.options.engine
        final = replace(
            self.options,
            engine=engine,
            time_limit=self.left(),
            progress=None,
            node_limit=self.limits.whole_nodes,
        )
        result = self.backend.solve(self.program, final, start=state.x)
        state.clock_stopped |= result.stop == "time_limit"
        if result.status.has_plan:
            _keep(self.program, result.x, state, "engine")
            if math.isfinite(result.bound):
                state.bound = min(state.bound, result.bound)
        self.say(f"engine on the whole program ({result.status})")


def _closed(program: LinearProgram, binary: IntArray, support: BoolArray) -> LinearProgram:
    """Returns ``program`` with the switches ``binary[~support]`` closed (upper bound 0)."""
    upper = program.col_upper.copy()
    upper[binary[~support]] = 0.0
    return replace(program, col_upper=upper)


def _keep(program: LinearProgram, x: FloatArray, state: SearchState, step: str) -> bool:
    """Keeps ``x`` when it is feasible and better than the best plan.

    Returns:
        Whether it was kept.
    """
    x = np.clip(x, program.col_lower, program.col_upper)
    if program.violation(x) > FEASIBILITY_TOLERANCE or program.value(x) <= state.value:
        return False
    state.x, state.value, state.found_by = x, program.value(x), step
    return True
