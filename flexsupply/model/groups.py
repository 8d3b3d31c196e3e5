"""Which style or period each decision column belongs to, for heuristics that re-plan a part."""

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


def period_of_column(model: ModelMap, n_columns: int) -> IntArray:
    """Returns the period (0-based) each order and switch column is placed in, -1 elsewhere."""
    period = np.full(n_columns, -1, dtype=np.int64)
    placed = np.arange(model.data.n_periods)[None, :, None]
    for columns in (model.orders.order, model.orders.switch):
        used = columns >= 0
        period[columns[used]] = np.broadcast_to(placed, columns.shape)[used]
    return period
