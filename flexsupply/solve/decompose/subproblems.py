"""One subproblem per block: the block's own rows, its columns priced by the multipliers.

With multipliers μ on the linking rows, block k solves

    max (c_k − A_Lk^T μ)·x_k  s.t.  x_k in X_k   (its rows, bounds and integrality)

and its proven bound (never its incumbent) enters the Lagrangian bound. A block's program is
shipped to where subproblems run once; a round then sends each block only its priced objective
(``Task``), and ``solve_task`` (module level, picklable arguments) rebuilds the priced program
there, so it runs unchanged in this process, a spawned process or on a Dask worker.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import SolverOptions, Status, get_backend
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.linking import Partition


@dataclass(frozen=True)
class Block:
    """One block of a partition, ready to be priced.

    Attributes:
        columns: the block's columns in the partitioned program.
        program: the block alone: its columns, its rows, its own objective (no offset).
        link: the linking rows restricted to the block's columns, ``(n_linking, n_block_columns)``.
    """

    columns: IntArray
    program: LinearProgram
    link: sp.csr_matrix


@dataclass(frozen=True)
class Task:
    """One subproblem solve, picklable: the block's priced objective, not its rows.

    Attributes:
        block: index of the block in the partition.
        objective: the block's priced objective ``c_k − A_Lk^T μ`` [currency per unit].
        backend: backend name (``ortools`` or ``pulp``).
        options: solver options (no progress callback: it would not pickle).
        start: a feasible solution of the block to start from, or None.
    """

    block: int
    objective: FloatArray
    backend: str
    options: SolverOptions
    start: FloatArray | None = None


@dataclass(frozen=True)
class BlockSolution:
    """What a subproblem solve gives back.

    Attributes:
        block: index of the block.
        x: the best solution found (empty when none) [the block's columns].
        objective: its priced objective [currency] (nan without one).
        bound: a proven bound on the priced optimum [currency] (inf when unknown).
        status: the backend's status word.
        seconds: wall time of the solve, pickling excluded [seconds].
    """

    block: int
    x: FloatArray
    objective: float
    bound: float
    status: str
    seconds: float


def blocks_of(partition: Partition) -> list[Block]:
    """Returns every block of ``partition`` as its own program (the shared block last).

    Returns:
        One ``Block`` per block of the partition, in the partition's order.
    """
    program = partition.program
    # One permutation puts the blocks on the diagonal; each block is then a contiguous slice
    # (slicing the whole matrix once per block would cost O(blocks × nonzeros)).
    rows = np.concatenate(partition.block_rows)
    columns = np.concatenate(partition.block_columns)
    matrix = program.matrix.tocsr()
    diagonal = matrix[rows][:, columns].tocsr()
    linking = matrix[partition.linking_rows][:, columns].tocsc()
    row_ends = np.cumsum([len(r) for r in partition.block_rows])
    col_ends = np.cumsum([len(c) for c in partition.block_columns])
    blocks = []
    for k, (own_columns, own_rows) in enumerate(
        zip(partition.block_columns, partition.block_rows, strict=True)
    ):
        r0, r1 = int(row_ends[k]) - len(own_rows), int(row_ends[k])
        c0, c1 = int(col_ends[k]) - len(own_columns), int(col_ends[k])
        sub = LinearProgram(
            objective=program.objective[own_columns],
            offset=0.0,
            matrix=sp.csr_matrix(diagonal[r0:r1][:, c0:c1]),
            row_lower=program.row_lower[own_rows],
            row_upper=program.row_upper[own_rows],
            col_lower=program.col_lower[own_columns],
            col_upper=program.col_upper[own_columns],
            integer=program.integer[own_columns],
            maximize=program.maximize,
            column_blocks={},
            row_blocks={},
        )
        blocks.append(Block(own_columns, sub, sp.csr_matrix(linking[:, c0:c1])))
    return blocks


def priced_objective(block: Block, multipliers: FloatArray) -> FloatArray:
    """Returns the block's objective priced by the multipliers, ``c_k − A_Lk^T μ`` [currency]."""
    return np.asarray(block.program.objective - block.link.T @ multipliers, dtype=np.float64)


def priced(block: Block, multipliers: FloatArray) -> LinearProgram:
    """Returns the block's program with objective ``c_k − A_Lk^T μ``."""
    return replace(block.program, objective=priced_objective(block, multipliers))


def solve_task(block_program: LinearProgram, task: Task) -> BlockSolution:
    """Solves one subproblem with its backend; a time-limited solve keeps its proven bound.

    Args:
        block_program: the block's own program (its objective is replaced by the task's).
        task: the priced objective and how to solve.

    Returns:
        The ``BlockSolution``: bound +inf (for max; -inf for min) when the backend proves none.
    """
    started = time.perf_counter()
    program = replace(block_program, objective=task.objective)
    worst = math.inf if program.maximize else -math.inf
    if program.n_columns == 0:
        return BlockSolution(task.block, np.zeros(0), 0.0, 0.0, "optimal", 0.0)
    backend = get_backend(task.backend)
    result = backend.solve(program, task.options, start=task.start)
    if result.status == Status.INFEASIBLE:
        seconds = time.perf_counter() - started
        return BlockSolution(task.block, np.zeros(0), math.nan, -worst, str(result.status), seconds)
    bound = result.bound
    if math.isnan(bound) and result.status == Status.OPTIMAL:
        slack = task.options.gap * max(abs(result.objective), 1.0)
        bound = result.objective + (slack if program.maximize else -slack)
    if math.isnan(bound) and program.integer.any():
        # Stopped without a bound of its own: the block's LP relaxation is one, and cheap.
        relaxed = replace(program, integer=np.zeros(program.n_columns, dtype=bool))
        lp = backend.solve(relaxed, replace(task.options, time_limit=None))
        bound = lp.objective if lp.status == Status.OPTIMAL else worst
    seconds = time.perf_counter() - started
    if math.isnan(bound):
        bound = worst
    if not result.status.has_plan:
        return BlockSolution(task.block, np.zeros(0), math.nan, bound, str(result.status), seconds)
    # The bound can be no better than the solution the engine found.
    bound = max(bound, result.objective) if program.maximize else min(bound, result.objective)
    return BlockSolution(task.block, result.x, result.objective, bound, str(result.status), seconds)
