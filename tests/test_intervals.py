"""Means with Student-t confidence intervals for the out-of-sample reports."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from flexsupply.solve.intervals import Interval, interval_text, mean_interval


def test_interval_of_known_numbers_is_the_t_interval() -> None:
    # mean 2.5, s = 1.2910, t(0.975; 3) = 3.1824: half-width 3.1824 · 1.2910 / 2 = 2.0543.
    interval = mean_interval(np.array([1.0, 2.0, 3.0, 4.0, np.nan]))

    assert (interval.mean, interval.samples) == (2.5, 4)
    assert (interval.low, interval.high) == pytest.approx((0.4457, 4.5543), abs=1e-4)


@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=60
    ).filter(lambda v: np.std(v) > 1e-3)
)
def test_interval_matches_scipy(values: list[float]) -> None:
    data = np.array(values)
    low, high = stats.t.interval(0.95, len(data) - 1, loc=data.mean(), scale=stats.sem(data))

    interval = mean_interval(data)

    assert (interval.low, interval.high) == pytest.approx((low, high), rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("level", [0.8, 0.9, 0.99])
def test_interval_level_follows_scipy(level: float) -> None:
    data = np.array([12.0, 15.5, 9.0, 11.25, 14.0, 13.5])
    low, high = stats.t.interval(level, len(data) - 1, loc=data.mean(), scale=stats.sem(data))

    interval = mean_interval(data, level)

    assert (interval.low, interval.high) == pytest.approx((low, high))


def test_interval_of_one_value_is_that_value_and_of_none_is_nan() -> None:
    assert mean_interval(np.array([7.0])) == Interval(7.0, 7.0, 7.0, 1)
    empty = mean_interval(np.array([np.nan]))
    assert math.isnan(empty.mean)
    assert empty.to_dict() == {"mean": None, "low": None, "high": None, "samples": 0}
    assert interval_text(empty, ",.0f") == "–"


def test_interval_text_shows_both_ends() -> None:
    assert interval_text(Interval(0.5, 0.25, 0.75, 9), ".0%") == "25% … 75%"
