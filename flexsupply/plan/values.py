"""Plan values as JSON writes them: numbers rounded, nan as None."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def num(value: float) -> float | None:
    """Returns ``value`` rounded to 6 decimals, None for nan."""
    return None if math.isnan(value) else round(float(value), 6)


def clean(value: Any) -> Any:
    """Returns ``value`` with every float in it rounded by ``num`` (dicts and lists too)."""
    if isinstance(value, float):
        return num(value)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def table(products: list[str], values: np.ndarray) -> dict[str, list[float | None]]:
    """Returns one row per product, rounded; nan (a table an older plan file lacks) as None."""
    return {
        product: [None if math.isnan(v) else round(float(v), 4) for v in values[p]]
        for p, product in enumerate(products)
    }
