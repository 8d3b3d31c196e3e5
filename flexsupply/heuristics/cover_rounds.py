"""Rounds of multi-order (l,S) separation on a program's LP relaxation.

Each round solves the LP relaxation (HiGHS, keeping its basis between rounds), separates the
most violated multi-order (l,S) inequality of every (scenario, product, period) that the LP
point breaks (``model/strengthen.py``, where their validity is proved) and adds them. The rows
found are appended to the program: its integer optimum is unchanged, its LP bound can only get
tighter. On spring-drop (15 scenarios) ten rounds add about 5,000 rows and lower the LP bound
from 496,179 to 486,030, below the bound SCIP proves on the plain program in 60 s (490,408).
The number of rounds is a count, so the same program gives the same rows on any machine; the
time limit is only a safety net.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from flexsupply.heuristics.highs import HighsCopy
from flexsupply.model.program import LinearProgram
from flexsupply.model.strengthen import CoverData, CutRows, separate_cover_cuts, with_cover_rows

COVER_ROUNDS = 0
"""Separation rounds by default: none. On spring-drop the LP bound falls by 7,000 in the first
round, 1,800 in the second and under 100 a round after the seventh, but on an idle 2-core machine
at 60 s the decomposition ended worse with 10 rounds (spring-drop 8.27 % against 6.43 %,
30x5x12x1 4.12 % against 2.72 %: the rounds take the time of the plan side); with the demo's
300 s safety net 10 rounds gave 2.16 % against 2.75 %. ``DecomposeSettings.cover_rounds`` turns
them on."""
COVER_SHARE = 0.1
"""Safety net of ``tighten_within``, as a share of the time limit."""


@dataclass(frozen=True)
class Tightened:
    """A program with the separated rows appended, and what they did.

    Attributes:
        program: the program with ``rows`` more rows (same columns, same integer optimum).
        rows: rows appended.
        rounds: separation rounds run.
        lp_before: LP bound of the program as given [currency] (nan when not solved).
        lp_after: LP bound with the rows [currency] (nan when not solved).
        seconds: wall time [seconds].
        time_limited: the time limit stopped the rounds (another run may add other rows).
    """

    program: LinearProgram
    rows: int
    rounds: int
    lp_before: float
    lp_after: float
    seconds: float
    time_limited: bool = False


def tighten(
    program: LinearProgram,
    cover: CoverData,
    rounds: int = COVER_ROUNDS,
    time_limit: float | None = None,
) -> Tightened:
    """Returns ``program`` with the multi-order (l,S) rows its LP relaxation breaks.

    Args:
        program: a program built by ``build_program`` (``cover`` is its ``ModelMap.cover``).
        cover: the orders, switches, stock and cover coefficients of ``program``.
        rounds: separation rounds at most (each: one LP solve, one separation).
        time_limit: safety net for the whole loop [seconds]; None for none.

    Returns:
        The ``Tightened`` program; the program unchanged when the LP is not solved in time.
    """
    started = time.perf_counter()
    deadline = math.inf if time_limit is None else started + time_limit
    offset = program.offset
    lp = HighsCopy(program, integer=False)

    def left() -> float | None:
        return None if math.isinf(deadline) else max(deadline - time.perf_counter(), 0.0)

    if not lp.run(left()):
        seconds = time.perf_counter() - started
        return Tightened(program, 0, 0, math.nan, math.nan, seconds, time_limit is not None)
    x = lp.values()
    before = after = float(program.objective @ x) + offset
    found: list[CutRows] = []
    done, limited = 0, False
    for _ in range(rounds):
        cuts = separate_cover_cuts(cover, x)
        if not cuts.n_rows:
            break
        lp.highs.addRows(
            cuts.n_rows,
            np.full(cuts.n_rows, -np.inf),
            np.zeros(cuts.n_rows),
            len(cuts.columns),
            cuts.starts[:-1].astype(np.int32),
            cuts.columns.astype(np.int32),
            cuts.values,
        )
        found.append(cuts)
        done += 1
        if not lp.run(left()):
            limited = True
            break
        x = lp.values()
        after = float(program.objective @ x) + offset
    rows = CutRows.join(found)
    tightened = with_cover_rows(program, rows) if rows.n_rows else program
    seconds = time.perf_counter() - started
    return Tightened(tightened, rows.n_rows, done, before, after, seconds, limited)


def tighten_within(
    program: LinearProgram, cover: CoverData | None, rounds: int, time_limit: float | None
) -> Tightened:
    """Returns ``tighten`` with ``COVER_SHARE`` of ``time_limit`` as its safety net.

    Returns:
        The ``Tightened`` program; the program as given (no rows, nan bounds) without ``cover``
        or rounds.
    """
    if cover is None or rounds <= 0:
        return Tightened(program, 0, 0, math.nan, math.nan, 0.0)
    return tighten(program, cover, rounds, None if time_limit is None else COVER_SHARE * time_limit)
