"""One subproblem per block: the block's own rows, its columns priced by the multipliers.

With multipliers μ on the linking rows, block k solves

    max (c_k − A_Lk^T μ)·x_k  s.t.  x_k in X_k   (its rows, bounds and integrality)

and its proven bound (never its incumbent) enters the Lagrangian bound. A block's program is
shipped to where subproblems run once; a round then sends each block only its priced objective
(``Task``), and ``solve_task`` (module level, picklable arguments) solves it there, so it runs
unchanged in this process, a spawned process or on a Dask worker.

When the subproblems' engine is HiGHS (the default of both backends' decomposition),
``solve_task`` solves the block with highspy, the same HiGHS both backends run, straight from
the arrays: each block stays loaded in the process (one ``Highs`` per block and thread), and a
round only changes its costs (``changeColsCost``) and gives it the block's last solution as a
start. Its options are ``BLOCK_HIGHS_OPTIONS``: the backends' lean heuristics
(``HIGHS_LEAN_HEURISTICS``: the plans stay as good, the repair starts from them) and no
restart. With SCIP or CBC the block goes through the backend, rebuilt every round.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import SolverOptions, Status, backend_info, get_backend
from flexsupply.backends.result import HIGHS_LEAN_HEURISTICS
from flexsupply.heuristics.highs import HighsCopy, load_highspy, new_highs
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.linking import Partition

BLOCK_HIGHS_OPTIONS: dict[str, float | bool] = {
    **HIGHS_LEAN_HEURISTICS[0],
    **HIGHS_LEAN_HEURISTICS[1],
    "mip_allow_restart": False,
}
"""HiGHS options of a subproblem solved with highspy: the backends' lean heuristics, no
restart (on spring-drop:15 a restart re-runs the root of a 20-node solve: 2-3x as long for the
same plans and bounds, ``benchmarks/results/decompose-sub.md``)."""
KEPT_BLOCKS = 64
"""Blocks a thread keeps loaded in HiGHS at most, the least recently solved going first (a
season with more blocks reloads each one: loading costs milliseconds, a solve seconds)."""
HIGHS_BACKENDS = ("ortools", "pulp")
"""Backends whose engine ``highs`` is the HiGHS highspy runs: their subproblems go to highspy."""

_threads = [0]
"""HiGHS threads of this process's subproblem solves (0: HiGHS's own choice)."""

_kept = threading.local()
"""Per thread: ``models``, the blocks loaded in HiGHS (block index → ``HighsCopy``)."""


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


@dataclass(frozen=True)
class _Answer:
    """An engine's answer on one block: status, solution, objective and bound [currency]."""

    status: Status
    x: FloatArray
    objective: float
    bound: float


def on_highspy(task: Task) -> bool:
    """Returns whether ``task`` is solved with highspy: its backend's engine is HiGHS."""
    if task.backend not in HIGHS_BACKENDS:
        return False
    return backend_info(task.backend).engine(task.options.engine).name == "highs"


def solve_on_one_thread() -> None:
    """Makes this process's subproblem solves run HiGHS on one thread.

    For worker processes that only solve subproblems, one per core, before they run HiGHS (it
    fixes its thread count at a process's first solve): HiGHS's own worker threads made two
    tasks at a time 2.3x slower each, and a round of 100x5x26x1 on 2 Dask workers went from
    0.86x to 1.97x the speed of one (``benchmarks/results/decompose-idle.md``).
    """
    _threads[0] = 1


def forget_blocks() -> None:
    """Unloads the blocks this thread keeps in HiGHS (the executor is done with them)."""
    _kept.models = OrderedDict()


def _loaded(block: int, program: LinearProgram) -> HighsCopy:
    """Returns this thread's HiGHS holding ``program`` (block ``block``), loaded once."""
    models: OrderedDict[int, HighsCopy] | None = getattr(_kept, "models", None)
    if models is None:
        models = _kept.models = OrderedDict()
    kept = models.get(block)
    if kept is None or kept.program is not program:
        kept = HighsCopy(program, integer=True, highs=new_highs())
        for name, value in {**BLOCK_HIGHS_OPTIONS, "threads": _threads[0]}.items():
            kept.set_option(name, value)
        models[block] = kept
        while len(models) > KEPT_BLOCKS:
            models.popitem(last=False)
    models.move_to_end(block)
    return kept


def _solve_highspy(block_program: LinearProgram, task: Task) -> _Answer:
    """Solves the task's priced block with the HiGHS model kept for it, re-priced.

    The solver's state from the last solve is cleared first: the answer is the one a fresh
    model gives, whichever process solved the block before.
    """
    mip = _loaded(task.block, block_program)
    highs: Any = mip.highs
    sign = -1.0 if block_program.maximize else 1.0
    columns = np.arange(block_program.n_columns, dtype=np.int32)
    highs.changeColsCost(len(columns), columns, sign * task.objective)
    highs.clearSolver()
    options = task.options
    mip.set_option("mip_rel_gap", options.gap)
    mip.set_option("random_seed", options.seed)
    mip.set_option("mip_max_nodes", 2**31 - 1 if options.node_limit is None else options.node_limit)
    found = mip.run(options.time_limit, start=task.start)
    info = highs.getInfo()
    bound = sign * float(info.mip_dual_bound)
    if not math.isfinite(bound):
        bound = math.nan
    status = highs.getModelStatus()
    kinds = load_highspy().HighsModelStatus
    if status == kinds.kInfeasible:
        return _Answer(Status.INFEASIBLE, np.zeros(0), math.nan, math.nan)
    if not found:
        return _Answer(Status.NO_SOLUTION, np.zeros(0), math.nan, bound)
    objective = sign * float(info.objective_function_value)
    word = Status.OPTIMAL if status == kinds.kOptimal else Status.FEASIBLE
    return _Answer(word, mip.values(), objective, bound)


def solve_task(block_program: LinearProgram, task: Task) -> BlockSolution:
    """Solves one subproblem (highspy or its backend); a time-limited solve keeps its bound.

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
    if on_highspy(task):
        result = _solve_highspy(block_program, task)
    else:
        solved = backend.solve(program, task.options, start=task.start)
        result = _Answer(solved.status, solved.x, solved.objective, solved.bound)
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
