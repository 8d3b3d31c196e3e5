"""Bands across demand futures: weighted quantiles, and the cash band of a plan."""

from __future__ import annotations

import numpy as np

LOW_QUANTILE, HIGH_QUANTILE = 0.1, 0.9
"""The band across demand futures in the inventory and cash tables (P10 and P90)."""


def weighted_quantile(values: np.ndarray, probs: np.ndarray, q: float) -> np.ndarray:
    """Returns the q-quantile over the first axis of ``values``, scenarios weighted by ``probs``.

    The quantile is the smallest scenario value whose cumulative probability reaches ``q``
    (the lower inverse of the distribution function), so it is always one scenario's value.

    Args:
        values: shape ``(Ω, ...)``, one slice per demand scenario.
        probs: shape ``(Ω,)``, the scenario probabilities (summing to 1).
        q: the quantile, between 0 and 1.

    Returns:
        Shape ``values.shape[1:]``, in the unit of ``values``.
    """
    order = np.argsort(values, axis=0, kind="stable")
    ranked = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(probs[order], axis=0)
    index = np.argmax(cumulative >= q - 1e-9, axis=0)
    quantile: np.ndarray = np.take_along_axis(ranked, index[None, ...], axis=0)[0]
    return quantile


def cash_summary(cash: np.ndarray, probabilities: list[float]) -> dict[str, list[float]]:
    """Returns cash per period: ``expected``, ``p10``, ``p90`` and ``low`` (lowest future).

    Args:
        cash: end-of-period cash per demand future, shape ``(Ω, T)`` [currency].
        probabilities: the futures' probabilities, shape ``(Ω,)``.

    Returns:
        One list per statistic with one value per period, rounded to cents [currency].
    """
    probs = np.asarray(probabilities)
    low = weighted_quantile(cash, probs, LOW_QUANTILE)
    high = weighted_quantile(cash, probs, HIGH_QUANTILE)
    return {
        "expected": [round(float(v), 2) for v in probs @ cash],
        "p10": [round(float(v), 2) for v in low],
        "p90": [round(float(v), 2) for v in high],
        "low": [round(float(v), 2) for v in cash.min(axis=0)],
    }
