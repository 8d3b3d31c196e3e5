"""The solver-neutral matrix form of a model, and a builder that fills it block by block."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from flexsupply.arrays import BoolArray, FloatArray, IntArray

SHARED = -1
"""Style tag of a column shared by all styles (cash, supplier selection, CVaR)."""


@dataclass(frozen=True)
class Block:
    """A named block of columns or rows: indices ``start..stop`` laid out in C order of ``shape``."""

    name: str
    start: int
    shape: tuple[int, ...]

    @property
    def stop(self) -> int:
        """Index one past the block's last column or row."""
        return self.start + int(np.prod(self.shape, dtype=np.int64))

    def indices(self) -> IntArray:
        """Returns the block's indices arranged in its shape."""
        return np.arange(self.start, self.stop, dtype=np.int64).reshape(self.shape)


@dataclass(frozen=True)
class LinearProgram:
    """``optimise c·x + offset  s.t.  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper``.

    ``integer[j]`` marks integer columns; ``maximize`` gives the sense. Blocks name the column and
    row ranges so results map back to (product, supplier, period, scenario). ``column_style[j]``
    is the style (product index) column ``j`` belongs to, or ``SHARED`` (-1) for columns of the
    whole season; empty when the builder was given no styles (then every column is shared).
    """

    objective: FloatArray
    offset: float
    matrix: sp.csr_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integer: BoolArray
    maximize: bool
    column_blocks: dict[str, Block]
    row_blocks: dict[str, Block]
    column_style: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_columns(self) -> int:
        """Number of variables."""
        return int(self.objective.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return int(self.row_lower.shape[0])

    def styles(self) -> IntArray:
        """Returns the style tag of every column, shape ``(n_columns,)`` (``SHARED`` = -1)."""
        if self.column_style.shape[0] == self.n_columns:
            return self.column_style
        return np.full(self.n_columns, SHARED, dtype=np.int64)

    def value(self, x: FloatArray) -> float:
        """Returns the objective of solution ``x``, offset included [currency]."""
        return float(self.objective @ x) + self.offset

    def violation(self, x: FloatArray) -> float:
        """Returns how far ``x`` breaks a row, a bound or integrality, at its worst.

        Row and bound excesses are relative to the bound's size (at least 1), as solvers
        measure feasibility; integrality is the distance to the nearest integer.
        """

        def excess(low: FloatArray, value: FloatArray, high: FloatArray) -> float:
            scale_low = np.maximum(1.0, np.abs(np.where(np.isfinite(low), low, 0.0)))
            scale_high = np.maximum(1.0, np.abs(np.where(np.isfinite(high), high, 0.0)))
            below = np.max((low - value) / scale_low, initial=0.0)
            above = np.max((value - high) / scale_high, initial=0.0)
            return float(max(below, above))

        fractional = np.abs(x[self.integer] - np.round(x[self.integer]))
        return max(
            excess(self.row_lower, self.matrix @ x, self.row_upper),
            excess(self.col_lower, x, self.col_upper),
            float(np.max(fractional, initial=0.0)),
        )

    def column_names(self) -> list[str]:
        """Returns a readable unique name per column, e.g. ``order[3,0,2]`` (for LP files and logs)."""
        return _names(self.column_blocks, self.n_columns)

    def row_names(self) -> list[str]:
        """Returns a readable unique name per row, e.g. ``balance[1,4,0]``."""
        return _names(self.row_blocks, self.n_rows)


def _names(blocks: dict[str, Block], count: int) -> list[str]:
    names = [""] * count
    for block in blocks.values():
        for offset, index in enumerate(np.ndindex(*block.shape)):
            names[block.start + offset] = f"{block.name}[{','.join(map(str, index))}]"
    return names


@dataclass
class ProgramBuilder:
    """Collects column blocks, row blocks and coefficient triplets, then freezes a LinearProgram."""

    maximize: bool = True
    offset: float = 0.0
    _col_blocks: dict[str, Block] = field(default_factory=dict)
    _row_blocks: dict[str, Block] = field(default_factory=dict)
    _col_lower: list[FloatArray] = field(default_factory=list)
    _col_upper: list[FloatArray] = field(default_factory=list)
    _integer: list[BoolArray] = field(default_factory=list)
    _style: list[IntArray] = field(default_factory=list)
    _row_lower: list[FloatArray] = field(default_factory=list)
    _row_upper: list[FloatArray] = field(default_factory=list)
    _rows: list[IntArray] = field(default_factory=list)
    _cols: list[IntArray] = field(default_factory=list)
    _coefs: list[FloatArray] = field(default_factory=list)
    _cost_cols: list[IntArray] = field(default_factory=list)
    _cost_coefs: list[FloatArray] = field(default_factory=list)
    _shifts: list[tuple[IntArray, FloatArray]] = field(default_factory=list)
    n_columns: int = 0
    n_rows: int = 0

    def add_columns(
        self,
        name: str,
        shape: tuple[int, ...],
        lower: float | FloatArray = 0.0,
        upper: float | FloatArray = np.inf,
        integer: bool = False,
        style: int | IntArray = SHARED,
    ) -> IntArray:
        """Adds a block of variables.

        ``style`` tags each column with the style it belongs to (broadcast to ``shape``, e.g.
        ``product[:, None, None]``), ``SHARED`` for columns of the whole season; the
        decomposition finds the rows that link styles from these tags.

        Returns:
            Column indices in ``shape``.
        """
        block = Block(name, self.n_columns, shape)
        self._col_blocks[name] = block
        size = block.stop - block.start
        self._col_lower.append(
            np.broadcast_to(np.asarray(lower, dtype=float), shape).ravel().copy()
        )
        self._col_upper.append(
            np.broadcast_to(np.asarray(upper, dtype=float), shape).ravel().copy()
        )
        self._integer.append(np.full(size, integer))
        self._style.append(np.broadcast_to(np.asarray(style, dtype=np.int64), shape).ravel().copy())
        self.n_columns = block.stop
        return block.indices()

    def add_rows(
        self,
        name: str,
        shape: tuple[int, ...],
        lower: float | FloatArray = -np.inf,
        upper: float | FloatArray = np.inf,
    ) -> IntArray:
        """Adds a block of constraints ``lower ≤ row ≤ upper`` (terms come from ``add_terms``).

        Returns:
            Row indices in ``shape``.
        """
        block = Block(name, self.n_rows, shape)
        self._row_blocks[name] = block
        self._row_lower.append(
            np.broadcast_to(np.asarray(lower, dtype=float), shape).ravel().copy()
        )
        self._row_upper.append(
            np.broadcast_to(np.asarray(upper, dtype=float), shape).ravel().copy()
        )
        self.n_rows = block.stop
        return block.indices()

    def add_terms(
        self,
        rows: IntArray,
        cols: IntArray,
        coefs: float | FloatArray,
        where: BoolArray | None = None,
    ) -> None:
        """Adds coefficients ``A[rows, cols] += coefs`` (broadcast together; ``where`` masks them)."""
        rows_b, cols_b, coefs_b = np.broadcast_arrays(rows, cols, np.asarray(coefs, dtype=float))
        keep = (rows_b >= 0) & (cols_b >= 0) & (coefs_b != 0)
        if where is not None:
            keep &= np.broadcast_to(where, keep.shape)
        self._rows.append(rows_b[keep].astype(np.int64))
        self._cols.append(cols_b[keep].astype(np.int64))
        self._coefs.append(coefs_b[keep].astype(float))

    def add_to_bounds(self, rows: IntArray, amount: float | FloatArray) -> None:
        """Adds ``amount`` to both bounds of ``rows`` (broadcast): a constant moved to the right."""
        rows_b, amount_b = np.broadcast_arrays(rows, np.asarray(amount, dtype=float))
        self._shifts.append((rows_b.ravel().astype(np.int64), amount_b.ravel().astype(float)))

    def add_objective(self, cols: IntArray, coefs: float | FloatArray) -> None:
        """Adds ``coefs`` to the objective coefficients of ``cols`` (broadcast together)."""
        cols_b, coefs_b = np.broadcast_arrays(cols, np.asarray(coefs, dtype=float))
        keep = cols_b >= 0
        self._cost_cols.append(cols_b[keep].astype(np.int64))
        self._cost_coefs.append(coefs_b[keep].astype(float))

    def build(self) -> LinearProgram:
        """Returns the LinearProgram with duplicate coefficients summed."""

        def cat(parts: list[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        rows = cat(self._rows, np.int64)  # type: ignore[arg-type]
        cols = cat(self._cols, np.int64)  # type: ignore[arg-type]
        coefs = cat(self._coefs, float)  # type: ignore[arg-type]
        matrix = sp.csr_matrix(
            sp.coo_matrix((coefs, (rows, cols)), shape=(self.n_rows, self.n_columns))
        )
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        objective = np.zeros(self.n_columns)
        np.add.at(
            objective,
            cat(self._cost_cols, np.int64),  # type: ignore[arg-type]
            cat(self._cost_coefs, float),  # type: ignore[arg-type]
        )
        row_lower: FloatArray = cat(self._row_lower, float)  # type: ignore[arg-type,assignment]
        row_upper: FloatArray = cat(self._row_upper, float)  # type: ignore[arg-type,assignment]
        for shifted, amount in self._shifts:
            np.add.at(row_lower, shifted, amount)
            np.add.at(row_upper, shifted, amount)
        return LinearProgram(
            objective=objective,
            offset=self.offset,
            matrix=matrix,
            row_lower=row_lower,
            row_upper=row_upper,
            col_lower=cat(self._col_lower, float),  # type: ignore[arg-type]
            col_upper=cat(self._col_upper, float),  # type: ignore[arg-type]
            integer=cat(self._integer, bool),  # type: ignore[arg-type]
            maximize=self.maximize,
            column_blocks=dict(self._col_blocks),
            row_blocks=dict(self._row_blocks),
            column_style=cat(self._style, np.int64),  # type: ignore[arg-type]
        )
