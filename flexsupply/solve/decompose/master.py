"""The primal side: a restricted master over the per-style setup patterns generated so far.

Each subproblem solution gives its style a pattern: the values of the style's binary columns
(which orders are switched on, which tier, which copy of a supplier). The restricted master is
the whole program with each style's binary columns tied to a choice of one of its patterns,

    x_B(k) = Σ_i P_ki λ_ki,   Σ_i λ_ki = 1,   λ_ki ∈ {0, 1},

while every continuous column (quantities, stock, cash) stays free, so the chosen patterns are
re-timed and re-sized jointly under the linking rows. The incumbent's own pattern is always
among the choices, so the master is feasible and its start is the incumbent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.program import SHARED, Block, LinearProgram


@dataclass
class Patterns:
    """The distinct setup patterns seen per style.

    Attributes:
        columns: per style, its binary columns in the original program.
        seen: per style, the distinct patterns (rows of 0/1) in order of discovery.
        rounds: the glued solution of every round of subproblems, oldest first (each style's
            best plan at that round's multipliers; it may break linking rows).
    """

    columns: dict[int, IntArray]
    seen: dict[int, list[FloatArray]] = field(default_factory=dict)
    rounds: list[FloatArray] = field(default_factory=list)

    @classmethod
    def of(cls, program: LinearProgram) -> Patterns:
        """Returns an empty pattern store for the binary columns of every style of ``program``."""
        style = program.styles()
        binary = program.integer & (program.col_lower >= 0) & (program.col_upper <= 1)
        binary &= style != SHARED
        members = np.flatnonzero(binary)
        order = np.argsort(style[members], kind="stable")
        members = members[order]
        if not len(members):
            return cls({})
        styles, starts = np.unique(style[members], return_index=True)
        groups = np.split(members, starts[1:])
        return cls({int(s): g for s, g in zip(styles, groups, strict=True) if len(g)})

    def add(self, x: FloatArray, styles: IntArray | None = None) -> int:
        """Adds the pattern of ``x`` (a full original solution) for ``styles`` (default all).

        Returns:
            How many patterns were new.
        """
        new = 0
        for s in self.columns if styles is None else styles.tolist():
            if s not in self.columns:
                continue
            pattern = np.round(x[self.columns[s]])
            known = self.seen.setdefault(s, [])
            if not any(np.array_equal(pattern, old) for old in known):
                known.append(pattern)
                new += 1
        return new

    def add_round(self, x: FloatArray, styles: IntArray) -> int:
        """Records a round's glued solution ``x`` and adds its patterns for ``styles``.

        Returns:
            How many patterns were new.
        """
        self.rounds.append(x)
        return self.add(x, styles)

    def count(self) -> int:
        """Returns the number of patterns stored."""
        return sum(len(known) for known in self.seen.values())


def restricted_master(
    program: LinearProgram, patterns: Patterns, start: FloatArray
) -> tuple[LinearProgram, FloatArray]:
    """Returns the restricted master program and the incumbent ``start`` as its solution.

    ``start`` must be feasible for ``program``; its patterns are added to ``patterns``.

    Returns:
        ``(master, master_start)``; the plan is ``x[:program.n_columns]`` of a master solution.
    """
    patterns.add(start)
    styles = [s for s in patterns.columns if patterns.seen.get(s)]
    n = program.n_columns
    rows, cols, values = [], [], []
    lam_start = []
    n_lam = 0
    n_link = 0
    for k, s in enumerate(styles):
        members = patterns.columns[s]
        chosen = np.asarray(patterns.seen[s])  # (n_patterns, n_members)
        count = chosen.shape[0]
        lam = n + n_lam + np.arange(count)
        rows.append(np.full(count, k))
        cols.append(lam)
        values.append(np.ones(count))
        link_rows = len(styles) + n_link + np.arange(len(members))
        rows.append(link_rows)
        cols.append(members)
        values.append(np.ones(len(members)))
        i, j = np.nonzero(chosen)
        rows.append(link_rows[j])
        cols.append(lam[i])
        values.append(-np.ones(len(i)))
        own = np.round(start[members])
        lam_start.append(np.all(chosen == own[None, :], axis=1).astype(float))
        n_lam += count
        n_link += len(members)
    n_rows = len(styles) + n_link
    extra = sp.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n + n_lam),
    )
    matrix = sp.vstack([sp.hstack([program.matrix, sp.csr_matrix((program.n_rows, n_lam))]), extra])
    bounds = np.concatenate([np.ones(len(styles)), np.zeros(n_link)])
    fixed = np.zeros(n, dtype=bool)
    for s in styles:
        fixed[patterns.columns[s]] = True
    master = replace(
        program,
        objective=np.concatenate([program.objective, np.zeros(n_lam)]),
        matrix=sp.csr_matrix(matrix),
        row_lower=np.concatenate([program.row_lower, bounds]),
        row_upper=np.concatenate([program.row_upper, bounds]),
        col_lower=np.concatenate([program.col_lower, np.zeros(n_lam)]),
        col_upper=np.concatenate([program.col_upper, np.ones(n_lam)]),
        integer=np.concatenate([program.integer & ~fixed, np.ones(n_lam, dtype=bool)]),
        column_style=np.zeros(0, dtype=np.int64),
        column_blocks={**program.column_blocks, "pattern": Block("pattern", n, (n_lam,))},
        row_blocks={**program.row_blocks, "pattern": Block("pattern", program.n_rows, (n_rows,))},
    )
    return master, np.concatenate([start, *lam_start])


def union_master(program: LinearProgram, patterns: Patterns) -> LinearProgram:
    """Returns ``program`` with every styled binary that no pattern switches on fixed at 0.

    Wider than the restricted master (patterns of one style mix freely, period by period),
    far smaller than the whole program: the orders no subproblem ever wanted are dropped.
    """
    upper = program.col_upper.copy()
    for s, members in patterns.columns.items():
        seen = patterns.seen.get(s)
        if not seen:
            continue
        used = np.max(np.asarray(seen), axis=0) > 0.5
        upper[members[~used]] = 0.0
    return replace(program, col_upper=upper)
