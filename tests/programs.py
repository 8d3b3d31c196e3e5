"""Small hand-made ``LinearProgram`` objects shared by backend tests."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from flexsupply.model.program import LinearProgram


def one_column(offset: float = 0.0, integer: bool = False) -> LinearProgram:
    """Returns the program: maximise x + ``offset`` over 0 ≤ x ≤ 1 (optimum x = 1)."""
    return LinearProgram(
        objective=np.array([1.0]),
        matrix=sp.csr_matrix((0, 1)),
        row_lower=np.zeros(0),
        row_upper=np.zeros(0),
        col_lower=np.zeros(1),
        col_upper=np.ones(1),
        integer=np.full(1, integer),
        maximize=True,
        offset=offset,
        column_blocks={},
        row_blocks={},
    )
