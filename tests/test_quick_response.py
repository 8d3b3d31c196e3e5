"""Means with 95 % confidence intervals for the out-of-sample reports."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flexsupply.solve.quick_response import Z_95, mean_interval


def test_interval_is_the_normal_interval_of_the_mean_without_nan() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    interval = mean_interval(values)
    half = Z_95 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert (interval.mean, interval.samples) == (2.5, 4)
    assert (interval.low, interval.high) == pytest.approx((2.5 - half, 2.5 + half))


def test_interval_of_one_value_is_that_value_and_of_none_is_nan() -> None:
    assert mean_interval(np.array([7.0])).low == 7.0
    assert math.isnan(mean_interval(np.array([np.nan])).mean)
