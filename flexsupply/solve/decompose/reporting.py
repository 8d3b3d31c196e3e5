"""What the decomposition shows while it runs: the solver log's lines and the progress line.

The decomposition works on the program's maximisation form; the progress line gets plan and
bound in the program's own sense (``in_maxform``). Every round of the bound side and every
better plan of the plan side is shown as it comes (``progress_line``), so the line does not
keep the warm start's plan until the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from flexsupply.backends import SolverOptions
from flexsupply.backends.result import Progress
from flexsupply.solve.decompose.primal import Clock, SearchState


def in_maxform(options: SolverOptions, sense: float) -> SolverOptions:
    """Returns ``options`` whose progress callback takes reports on the maximisation form.

    The callback is given plan and bound back in the program's own sense (``sense`` is 1 for a
    maximisation, -1 for a minimisation).
    """
    shown = options.progress
    if shown is None or sense == 1.0:
        return options

    def flipped(progress: Progress) -> None:
        incumbent, bound = progress.incumbent, progress.bound
        shown(
            Progress(
                progress.seconds,
                None if incumbent is None else sense * incumbent,
                None if bound is None else sense * bound,
            )
        )

    return replace(options, progress=flipped)


def progress_line(
    progress: Callable[[Progress], None], began: float, clock: Clock
) -> Callable[[SearchState], None]:
    """Returns what shows a search state on the progress line: time, best plan and bound."""

    def show(state: SearchState) -> None:
        incumbent = None if state.x is None else state.value
        bound = state.bound if math.isfinite(state.bound) else None
        progress(Progress(clock() - began, incumbent, bound))

    return show


def report_round(
    options: SolverOptions,
    state: SearchState,
    value: float,
    began: float,
    clock: Clock,
    serious: bool,
) -> None:
    """Shows the iteration in the log and on the progress line."""
    if options.log:
        best = "-" if state.x is None else f"{state.value:,.2f}"
        print(
            f"decompose: iteration {state.iterations} ({clock() - began:.1f} s) bound {value:,.2f} "
            f"best bound {state.bound:,.2f} plan {best} gap {state.gap():.2%}"
            f"{'' if serious else ' (null step)'}"
        )
    if options.progress is not None:
        progress_line(options.progress, began, clock)(state)
