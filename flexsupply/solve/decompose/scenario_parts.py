"""A season's program split by scenario once its first stage is taken out.

The first stage (the first batch's orders, switches and lots, the suppliers onboarded, the
cancellations: ``first_stage_columns``) is decided once for every scenario. Without those
columns the rest of the program falls apart into independent parts: one per scenario, or one per
group of scenarios that share later decisions (tree nodes). The parts are found from the
program's rows alone (connected components of the columns left), and the scenario each part
serves from anchor columns (the stock of each style, week and scenario), so nothing here knows a
constraint type. Two uses (``scenario_split.py``):

- copies of the first stage in every part, their agreement relaxed, give a bound (the
  wait-and-see bound when the copies are not priced);
- the first stage fixed, every part is its own recourse program, and the parts' plans together
  are a plan of the whole program.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.build import ModelMap
from flexsupply.model.program import LinearProgram


@dataclass(frozen=True)
class ScenarioParts:
    """A program split into parts joined only by its first-stage columns.

    Attributes:
        shared: the first-stage columns, ascending.
        columns: each part's own columns, ascending (no first-stage column).
        rows: each part's rows: every row with a column of the part, ascending.
        shared_rows: rows over first-stage columns only, ascending (every part keeps them).
        weights: each part's share of the first stage's objective: the probability of its
            scenarios (0 for the part of columns tied to no scenario); they sum to 1.
    """

    shared: IntArray
    columns: list[IntArray]
    rows: list[IntArray]
    shared_rows: IntArray
    weights: FloatArray

    @property
    def n_parts(self) -> int:
        """Number of parts."""
        return len(self.columns)

    def programs(self, program: LinearProgram) -> list[LinearProgram]:
        """Returns each part as its own program: its columns, then a copy of the first stage.

        A part's objective is its own columns' and ``weights[k]`` times the first stage's,
        without the program's offset; the rows are the part's, then ``shared_rows``.
        """
        matrix = program.matrix.tocsr()
        styles = program.styles()
        parts = []
        for own_columns, own_rows, weight in zip(
            self.columns, self.rows, self.weights, strict=True
        ):
            columns = np.concatenate([own_columns, self.shared])
            rows = np.concatenate([own_rows, self.shared_rows])
            block = sp.csr_matrix(matrix[rows][:, columns])
            # Canonical rows: the column selection leaves them unsorted.
            block.sort_indices()
            parts.append(
                LinearProgram(
                    objective=np.concatenate(
                        [program.objective[own_columns], weight * program.objective[self.shared]]
                    ),
                    offset=0.0,
                    matrix=block,
                    row_lower=program.row_lower[rows],
                    row_upper=program.row_upper[rows],
                    col_lower=program.col_lower[columns],
                    col_upper=program.col_upper[columns],
                    integer=program.integer[columns],
                    maximize=program.maximize,
                    column_blocks={},
                    row_blocks={},
                    column_style=styles[columns],
                )
            )
        return parts

    def fixed(self, parts: list[LinearProgram], first: FloatArray) -> list[LinearProgram]:
        """Returns the parts' programs with their first-stage copies fixed at ``first``.

        ``first`` holds the first stage's values in the order of ``shared``; the copies then
        cost nothing in the parts' objectives (their value is counted once by the caller).
        """
        n = len(self.shared)
        fixed = []
        for part in parts:
            lower, upper = part.col_lower.copy(), part.col_upper.copy()
            lower[-n:] = upper[-n:] = first
            objective = part.objective.copy()
            objective[-n:] = 0.0
            fixed.append(replace(part, objective=objective, col_lower=lower, col_upper=upper))
        return fixed

    def assemble(
        self, n_columns: int, solutions: list[FloatArray], first: FloatArray
    ) -> FloatArray:
        """Returns the whole program's solution from the parts' solutions and the first stage."""
        x = np.zeros(n_columns)
        for own, solution in zip(self.columns, solutions, strict=True):
            x[own] = solution[: len(own)]
        x[self.shared] = first
        return x


def first_stage_columns(model: ModelMap) -> IntArray:
    """Returns the columns decided before demand is revealed, ascending.

    The first batch's orders, switches and lots, the supplier selection and the cancellations
    of committed orders.
    """
    reveal = model.data.reveal
    orders = model.orders
    chosen = [
        orders.order[:, :reveal, 0].ravel(),
        orders.switch[:, :reveal, 0].ravel(),
        orders.lots[:, :reveal, 0].ravel(),
        orders.select,
    ]
    if model.cancellations is not None:
        chosen += [model.cancellations.units, model.cancellations.switch]
    columns = np.concatenate([np.asarray(c, dtype=np.int64).ravel() for c in chosen])
    return np.unique(columns[columns >= 0])


def scenario_anchors(model: ModelMap, n_columns: int) -> IntArray:
    """Returns each column's scenario where the model says it (its stock columns), else -1."""
    anchors = np.full(n_columns, -1, dtype=np.int64)
    stock = model.flows.inventory
    scenario = np.broadcast_to(np.arange(stock.shape[2])[None, None, :], stock.shape)
    has = stock >= 0
    anchors[stock[has]] = scenario[has]
    return anchors


def scenario_parts(
    program: LinearProgram, shared: IntArray, anchors: IntArray, probabilities: FloatArray
) -> ScenarioParts | None:
    """Returns ``program`` split into parts joined only by the ``shared`` columns.

    Args:
        program: the whole program.
        shared: the first-stage columns (``first_stage_columns``).
        anchors: each column's scenario, -1 where unknown (``scenario_anchors``).
        probabilities: each scenario's probability (summing to 1).

    Returns:
        The ``ScenarioParts``: one part per group of scenarios the program's rows join, plus
        one part (weight 0) for the columns tied to no scenario, if any; None when fewer than
        two parts serve scenarios (the scenarios are joined by more than the first stage).
    """
    matrix = program.matrix.tocoo()
    n_rows, n_cols = program.n_rows, program.n_columns
    free = np.ones(n_cols, dtype=bool)
    free[shared] = False
    keep = free[matrix.col]
    row, col = matrix.row[keep].astype(np.int64), matrix.col[keep].astype(np.int64)
    size = n_rows + n_cols
    graph = sp.coo_matrix((np.ones(len(row)), (row, n_rows + col)), shape=(size, size))
    n_labels, label = csgraph.connected_components(graph, directed=False)
    col_label = label[n_rows:]
    # Components that serve the same scenario are one part (a scenario split over two
    # components would have its probability counted twice).
    anchored = free & (anchors >= 0)
    n_scen = len(probabilities)
    pairs = sp.coo_matrix(
        (
            np.ones(int(anchored.sum())),
            (col_label[anchored], n_labels + anchors[anchored]),
        ),
        shape=(n_labels + n_scen, n_labels + n_scen),
    )
    _, group = csgraph.connected_components(pairs, directed=False)
    served = np.zeros(n_labels, dtype=bool)
    served[col_label[anchored]] = True
    groups, part_of_served = np.unique(group[:n_labels][served], return_inverse=True)
    n_parts = len(groups)
    if n_parts < 2:
        return None
    part_of_label = np.full(n_labels, n_parts, dtype=np.int64)
    part_of_label[served] = part_of_served.ravel()
    scen_part = np.searchsorted(groups, group[n_labels:])
    matched = scen_part < n_parts
    matched[matched] = groups[scen_part[matched]] == group[n_labels:][matched]
    if not matched.all():  # a scenario without stock columns: its weight would be lost
        return None
    weights = np.zeros(n_parts + 1)
    np.add.at(weights, scen_part, probabilities)
    col_part = np.where(free, part_of_label[col_label], -1)
    row_has_free = np.bincount(row, minlength=n_rows) > 0
    row_part = np.where(row_has_free, part_of_label[label[:n_rows]], -1)
    columns = _members(col_part, n_parts + 1)
    rows = _members(row_part, n_parts + 1)
    if len(columns[-1]) == 0:
        columns, rows, weights = columns[:-1], rows[:-1], weights[:-1]
    return ScenarioParts(
        shared=np.asarray(shared, dtype=np.int64),
        columns=columns,
        rows=rows,
        shared_rows=np.flatnonzero(~row_has_free),
        weights=weights,
    )


def _members(part: IntArray, n_parts: int) -> list[IntArray]:
    """Returns, for each part 0..n_parts-1, the ascending indices labelled with it."""
    order = np.argsort(part, kind="stable")
    ends = np.searchsorted(part[order], np.arange(n_parts + 1), side="left")
    return [order[ends[k] : ends[k + 1]] for k in range(n_parts)]
