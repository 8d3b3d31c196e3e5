"""Which style each decision column belongs to, for heuristics that re-plan a few styles at once."""

from __future__ import annotations

import numpy as np

from flexsupply.arrays import IntArray
from flexsupply.model.build import ModelMap


def style_of_column(model: ModelMap, n_columns: int) -> IntArray:
    """Returns the style (0-based product index) of every order and switch column, -1 elsewhere."""
    style = np.full(n_columns, -1, dtype=np.int64)
    product = model.data.options.product[:, None, None]
    for columns in (model.orders.order, model.orders.switch):
        used = columns >= 0
        style[columns[used]] = np.broadcast_to(product, columns.shape)[used]
    return style
