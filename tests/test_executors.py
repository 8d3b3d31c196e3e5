"""The executors of per-sample work give the same results in the same order wherever they run."""

from __future__ import annotations

from pathlib import Path

import pytest

import flexsupply as fs
from flexsupply.solve.executors import LOCAL_CLUSTER, run_chunks
from flexsupply.solve.quick_response import simulate_rolling

SEASON = Path(__file__).parent / "data" / "replan" / "scenario.yaml"


@pytest.mark.parametrize(
    ("workers", "dask"),
    [(1, None), (2, None), (2, LOCAL_CLUSTER)],
    ids=["here", "processes", "dask"],
)
def test_results_come_back_in_job_order(workers: int, dask: str | None) -> None:
    assert run_chunks(abs, [-3, 1, -2, 5], workers, dask) == [3, 1, 2, 5]


def test_rolling_simulation_on_dask_equals_local_processes() -> None:
    scenario = fs.load(SEASON)
    local = simulate_rolling(scenario, every=3, samples=4, seed=2, workers=2)
    on_dask = simulate_rolling(scenario, every=3, samples=4, seed=2, workers=2, dask=LOCAL_CLUSTER)
    assert on_dask.to_dict() == local.to_dict()
