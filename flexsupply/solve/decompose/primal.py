"""The plan side: better plans for the whole season from what the bound side generated.

In turn, each from the best plan so far:

1. **repair** each of the last Lagrangian solutions (every style's best plan at the multipliers,
   feasible for its own rows but breaking a few linking rows, usually factory capacity): the
   styles in the broken rows are re-planned while every other style keeps its Lagrangian plan
   (``style_fix.py``): by LP dives, then one freed style at a time (cheap node-limited sub-MIPs
   from the best plan, the others at it; two at a time on two cores, merged in order,
   ``pairs.py``), then by one node-limited MIP over all of them;
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
from flexsupply.backends.result import Backend, Progress
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.fix_optimize import fix_and_optimize
from flexsupply.heuristics.highs import HighsCopy
from flexsupply.heuristics.lp_dive import binary_columns, dive
from flexsupply.model.program import SHARED, LinearProgram
from flexsupply.solve.decompose.master import Patterns, restricted_master
from flexsupply.solve.decompose.pairs import Pairs, row_styles
from flexsupply.solve.decompose.rins import Rins, rins_deadline, rins_rounds
from flexsupply.solve.decompose.search_state import (
    Clock,
    PlanLimits,
    SearchState,
    left_until,
)
from flexsupply.solve.decompose.style_fix import StyleFix
from flexsupply.solve.decompose.sweeps import Sweeps, sweep_processes

__all__ = ["Clock", "PlanLimits", "PlanSearch", "SearchState", "left_until"]


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
        report: called with ``state`` each time a step keeps a better plan (the progress
            line), or None.
        relaxed: the LP relaxation's solution, for RINS (``rins.py``), or None.
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
    report: Callable[[SearchState], None] | None = None
    relaxed: FloatArray | None = None
    _styles: StyleFix | None = field(default=None, init=False, repr=False)
    _pairs: Pairs | None = field(default=None, init=False, repr=False)

    def run(self) -> None:
        """Improves the plan by the steps of the module docstring, each from the best plan.

        Every plan kept is feasible for ``program`` and better than the last.
        """
        state, gap = self.state, self.options.gap
        steps: tuple[Callable[[], None], ...] = (self.repair, self.rins, self.by_style)
        if self.program.n_rows <= self.limits.mip_rows:
            steps += (self.neighbourhood, self.master, self.fix)
        try:
            for step in steps:
                if state.gap() <= gap or state.check_clock(self.deadline, self.clock):
                    return
                step()
        finally:
            if self._pairs is not None:
                self._pairs.close()
        if self.limits.whole and state.gap() > gap:
            self.whole()

    def left(self) -> float | None:
        """Returns the seconds left before the deadline (None without one)."""
        return left_until(self.deadline, self.clock)

    def perf_deadline(self) -> float:
        """Returns the deadline as a ``time.perf_counter()`` value (the heuristics' clock)."""
        left = self.left()
        return math.inf if left is None else time.perf_counter() + left

    def keep(self, x: FloatArray, step: str) -> bool:
        """Keeps ``x`` when it is feasible and better than the best plan, and reports it.

        Returns:
            Whether it was kept.
        """
        kept = _keep(self.program, x, self.state, step)
        if kept and self.report is not None:
            self.report(self.state)
        return kept

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
        if rounds and self.limits.single_nodes:
            self.pairs().start()  # its helpers load the program while the dives run here
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
                self.one_style_at_a_time(free, solution)
            if self.limits.repair_nodes and number < self.limits.repair_mips:
                self.repair_by_style(free, solution, x)

    def _dive(self, program: LinearProgram, styles: int) -> FloatArray | None:
        """Returns the LP dive's plan for ``program`` (kept when better), or None."""
        x = dive(program, self.perf_deadline())
        kept = x is not None and self.keep(x, "repair")
        value = "no plan" if x is None else f"{program.value(x):,.2f}"
        self.say(f"LP dive re-planned {styles} styles: {value}{' kept' if kept else ''}")
        return x

    def one_style_at_a_time(self, free: BoolArray, solution: FloatArray | None = None) -> None:
        """Re-plans each style of ``free`` alone, every other style at the best plan.

        Each sub-MIP starts from the best plan, stops at ``limits.single_nodes`` nodes and
        runs without HiGHS's restart (it would re-run the root, the whole cost here). With the
        Lagrangian ``solution`` the styles go in descending order of what the best plan loses
        against it on them (``losses``): when the time limit stops the sub-MIPs, the styles with
        most to win have had theirs; then, with ``limits.single_rest``, every other style the
        plan loses on, in the same order. Without it, ascending style order. ``limits.single_width``
        styles that share no row the solution breaks (without it, no row linking styles) are
        re-planned from the same plan at once, on ``limits.single_processes`` processes, and
        merged in order (``pairs.py``).
        """
        state = self.state
        if state.x is None:
            return
        styles, better = self.styles(), 0
        order = np.flatnonzero(free)
        if solution is not None:
            loss = self.losses(solution)
            order = order[np.argsort(-loss[order], kind="stable")]
            if self.limits.single_rest:
                rest = np.flatnonzero(~free & (loss > 0))
                order = np.concatenate([order, rest[np.argsort(-loss[rest], kind="stable")]])
            touches = row_styles(styles, styles.repair_rows(solution))
        else:
            touches = row_styles(styles, np.arange(self.program.n_rows))
            touches = touches[:, touches.sum(axis=0) >= 2]
        for x in self.pairs().sweep(
            [int(s) for s in order],
            touches,
            lambda: state.x,
            self.limits.single_nodes,
            self.perf_deadline(),
            lambda: state.check_clock(self.deadline, self.clock),
        ):
            better += self.keep(x, "repair one style at a time")
        self.say(f"re-planned {len(order)} styles one at a time ({better} better)")

    def pairs(self) -> Pairs:
        """Returns the runner of the one-style re-plans (its helper processes start once)."""
        if self._pairs is None:
            width = self.limits.single_width
            processes = sweep_processes(self.limits.single_processes, width)
            self._pairs = Pairs(self.styles(), processes, width)
        return self._pairs

    def losses(self, solution: FloatArray) -> FloatArray:
        """Returns, per style, its objective in ``solution`` minus in the best plan [currency].

        A Lagrangian solution plans every style as if the linking rows were free, so a style
        far below it in the best plan is one the repair squeezed most.
        """
        assert self.state.x is not None
        style = self.styles().style
        styled = style != SHARED
        change = self.program.objective * (solution - self.state.x)
        return np.bincount(style[styled], change[styled], minlength=self.styles().n_styles).astype(
            float
        )

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
        kept = x is not None and self.keep(x, "repair by style")
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
                    better += self.keep(x, "fix-and-optimise by style")
                if state.check_clock(self.deadline, self.clock):
                    return
                self.say(f"fix-and-optimise by style ({len(groups)} sub-MIPs, {better} better)")
                if not better:
                    return
        finally:
            sweeps.close()

    def rins(self) -> None:
        """Runs up to ``limits.rins_rounds`` RINS MIPs from the best plan (``rins.py``).

        Their guides are the LP relaxation's solution and the last Lagrangian solution, in turn.
        """
        state, limits = self.state, self.limits
        if state.x is None or self.relaxed is None or limits.rins_rounds <= 0:
            return
        guides = [self.relaxed, *self.patterns.rounds[-1:]]
        search = Rins(self.program, guides, self.options.gap)
        cap = rins_deadline(self.left())
        better = rins_rounds(
            search,
            lambda: state.x,
            lambda x: self.keep(x, "RINS"),
            limits.rins_rounds,
            limits.rins_nodes,
            cap,
            lambda: state.check_clock(self.deadline, self.clock),
        )
        state.clock_stopped |= time.perf_counter() >= cap
        state.check_clock(self.deadline, self.clock)
        self.say(f"RINS ({search.free_count(state.x)} integers free, {better} better)")

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
        kept = found and self.keep(mip.values(), "neighbourhood")
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
            self.keep(result.x[: self.program.n_columns], "master")
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
        self.keep(improved.x, "fix-and-optimise")
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
            progress=None if self.report is None else self._engine_progress,
            node_limit=self.limits.whole_nodes,
        )
        result = self.backend.solve(self.program, final, start=state.x)
        state.clock_stopped |= result.stop == "time_limit"
        if result.status.has_plan:
            if math.isfinite(result.bound):
                state.bound = min(state.bound, result.bound)
            if not self.keep(result.x, "engine") and self.report is not None:
                self.report(state)
        self.say(f"engine on the whole program ({result.status})")

    def _engine_progress(self, progress: Progress) -> None:
        """Reports the engine's plan and bound on the whole program, where better than ours."""
        state = self.state
        if self.report is None or state.x is None:
            return
        value, bound = progress.incumbent, progress.bound
        self.report(
            replace(
                state,
                value=state.value if value is None else max(state.value, value),
                bound=state.bound if bound is None else min(state.bound, bound),
            )
        )


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
