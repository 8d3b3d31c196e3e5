"""CBC under PuLP keeps the whole call's time limit, even when CBC does not stop by itself."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from programs import one_column

from flexsupply.backends import SolverOptions, Status
from flexsupply.backends import pulp as pulp_backend

SLACK = 1.5
"""Seconds beyond the limit a loaded machine may add (process start and exit) [seconds]."""

STUBBORN = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
time.sleep(60)
"""
"""A CBC that ignores its time limit and SIGINT, as CBC does inside a long preprocessing."""

WRITES_ON_INTERRUPT = """
import signal, sys, time
solution = sys.argv[sys.argv.index("-solution") + 1]
def stop(signum, frame):
    with open(solution, "w") as out:
        out.write("Stopped on ctrl-c - objective value -1.00000000\\n")
        out.write("      0 X0000000               1                       0\\n")
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
time.sleep(60)
"""
"""A CBC that overruns its limit but writes its best plan (x = 1) when sent SIGINT."""


def fake_cbc(folder: Path, body: str) -> str:
    """Returns the path of an executable Python script standing in for CBC."""
    path = folder / "cbc"
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize(
    ("body", "status", "objective"),
    [(STUBBORN, Status.NO_SOLUTION, math.nan), (WRITES_ON_INTERRUPT, Status.FEASIBLE, 1.0)],
    ids=["killed-no-plan", "stopped-keeps-its-plan"],
)
def test_cbc_that_overruns_is_stopped_at_the_limit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    body: str,
    status: Status,
    objective: float,
) -> None:
    monkeypatch.setattr(pulp_backend, "_cbc_path", lambda: fake_cbc(tmp_path, body))
    limit = 3.0

    started = time.perf_counter()
    result = pulp_backend.PulpBackend().solve(
        one_column(integer=True), SolverOptions(engine="cbc", time_limit=limit)
    )
    wall = time.perf_counter() - started

    assert wall <= limit + SLACK
    assert result.status == status
    assert result.stop == "time_limit"
    np.testing.assert_equal(result.objective, objective)
    if not status.has_plan:
        assert "stopped at the time limit" in result.message


def test_real_cbc_still_solves_within_the_limit() -> None:
    result = pulp_backend.PulpBackend().solve(
        one_column(integer=True), SolverOptions(engine="cbc", time_limit=30.0)
    )

    assert result.status == Status.OPTIMAL
    assert result.objective == pytest.approx(1.0)


def test_cbc_is_not_started_when_too_little_time_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pulp_backend, "_cbc_path", lambda: fake_cbc(tmp_path, STUBBORN))

    result = pulp_backend.PulpBackend().solve(
        one_column(integer=True), SolverOptions(engine="cbc", time_limit=0.3)
    )

    assert result.status == Status.NO_SOLUTION
    assert result.stop == "time_limit"
    assert "too little time to run CBC" in result.message
    assert result.seconds < 0.3 + SLACK
