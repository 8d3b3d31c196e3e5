"""What a round of subproblems leaves: bundle cuts, setup patterns and, at best, a whole plan."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.solve.decompose.bundle import Bundle
from flexsupply.solve.decompose.linking import Partition
from flexsupply.solve.decompose.master import Patterns
from flexsupply.solve.decompose.search_state import SearchState
from flexsupply.solve.decompose.subproblems import Block, BlockSolution


def record_round(
    parts: Partition,
    blocks: list[Block],
    solutions: list[BlockSolution],
    bundle: Bundle,
    patterns: Patterns,
    previous: list[FloatArray | None],
    state: SearchState,
) -> None:
    """Adds cuts and patterns from a round's block solutions; keeps their glued plan if feasible.

    ``previous`` gets each solved block's solution (the next round's start); ``state`` gets the
    glued plan when every block was solved, it is feasible for the whole program and it is
    better than the best so far. Returns nothing.
    """
    program = parts.program
    whole = np.zeros(program.n_columns)
    complete = True
    for solution in solutions:
        block = blocks[solution.block]
        if len(solution.x) != len(block.columns):
            complete = False
            continue
        previous[solution.block] = solution.x
        bundle.add_cut(
            solution.block,
            float(block.program.objective @ solution.x),
            np.asarray(block.link @ solution.x).ravel(),
        )
        whole[block.columns] = solution.x
    original = whole[: parts.n_original].copy()
    # A shared column (supplier selection) takes the largest of the styles' copies of it.
    np.maximum.at(original, parts.copied, whole[parts.n_original :])
    patterns.add_round(original, parts.block_style[:-1])
    if not complete:
        return
    original_program = replace(
        program,
        objective=program.objective[: parts.n_original],
        matrix=program.matrix[: program.n_rows - len(parts.copied), : parts.n_original],
        row_lower=program.row_lower[: program.n_rows - len(parts.copied)],
        row_upper=program.row_upper[: program.n_rows - len(parts.copied)],
        col_lower=program.col_lower[: parts.n_original],
        col_upper=program.col_upper[: parts.n_original],
        integer=program.integer[: parts.n_original],
    )
    if original_program.violation(original) <= FEASIBILITY_TOLERANCE:
        value = original_program.value(original)
        if value > state.value:
            state.x, state.value, state.found_by = original, value, "subproblems"
