"""Confidence intervals of out-of-sample means.

The samples of a simulation are independent draws, so the mean of a quantity over n of them
has the Student-t interval ``mean ± t(1 − (1 − level)/2; n − 1) · s / √n``, with s the sample
standard deviation (ddof 1). Samples without a value (nan: no feasible recourse, not solved)
are left out and counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from flexsupply.arrays import FloatArray

LEVEL = 0.95
"""Confidence level of every interval reported."""


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval [the quantity's unit].

    Attributes:
        mean: the mean of the values.
        low: lower end of the interval.
        high: upper end of the interval.
        samples: values it was computed from (nan left out).
    """

    mean: float
    low: float
    high: float
    samples: int

    def to_dict(self) -> dict[str, float | int | None]:
        """Returns the interval as JSON-ready data (nan as None)."""
        return {
            key: None if isinstance(value, float) and math.isnan(value) else value
            for key, value in vars(self).items()
        }


def mean_interval(values: FloatArray, level: float = LEVEL) -> Interval:
    """Returns the mean of ``values`` (nan left out) with its Student-t confidence interval.

    Returns:
        ``Interval``; low = high = mean with one value, all nan with none.
    """
    kept = np.asarray(values, dtype=float)
    kept = kept[~np.isnan(kept)]
    if not len(kept):
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(kept.mean())
    if len(kept) == 1:
        return Interval(mean, mean, mean, 1)
    quantile = float(stats.t.ppf(0.5 + level / 2, len(kept) - 1))
    half = quantile * float(kept.std(ddof=1)) / math.sqrt(len(kept))
    return Interval(mean, mean - half, mean + half, len(kept))


def interval_text(interval: Interval, spec: str) -> str:
    """Returns ``low … high`` formatted with ``spec`` (``–`` without values)."""
    if interval.samples == 0:
        return "–"
    return f"{format(interval.low, spec)} … {format(interval.high, spec)}"


def intervals_dict(intervals: dict[str, Interval]) -> dict[str, Any]:
    """Returns named intervals as JSON-ready data."""
    return {name: interval.to_dict() for name, interval in intervals.items()}


__all__ = ["LEVEL", "Interval", "interval_text", "intervals_dict", "mean_interval"]
