"""The plan at scale by shares: the restricted master's shares, the pick MIP, the whole plan."""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from programs import many_tiny_styles

from flexsupply.backends import SolverOptions, get_backend
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.solve.decompose import DecomposeSettings, decompose, scale
from flexsupply.solve.decompose.bundle import bundle_of, groups_of
from flexsupply.solve.decompose.executors import Executor
from flexsupply.solve.decompose.linking import partition, scaled
from flexsupply.solve.decompose.lp_rounds import lp_rounds
from flexsupply.solve.decompose.primal import SearchState
from flexsupply.solve.decompose.relaxation import lp_relaxation
from flexsupply.solve.decompose.residual import room_rows
from flexsupply.solve.decompose.shares import pick, share_out
from flexsupply.solve.decompose.subproblems import blocks_of


@pytest.fixture(scope="module")
def program() -> Any:
    return many_tiny_styles()


@pytest.fixture(autouse=True)
def at_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scale, "AT_SCALE_ROWS", 0)
    monkeypatch.setattr(scale, "CUT_GROUPS", 4)
    monkeypatch.setattr(scale, "CUT_MEMORY", 3)


def test_shares_keep_the_room_and_reach_the_whole_lp_optimum(program: Any) -> None:
    parts = scaled(partition(program))
    blocks = blocks_of(parts)
    bundle = bundle_of(parts, blocks)
    bundle.box, bundle.memory, bundle.group = True, 10, groups_of(len(blocks), 7)
    start = bundle.feasible_start(np.zeros(len(parts.linking_rows)))
    rounds = lp_rounds(blocks, bundle, start, parts.program.offset, 0.3, math.inf, lambda: 0.0, 60)
    rows = room_rows(parts)
    assert rows is not None
    flip, room = rows

    shares = share_out(rounds.own, rounds.usage, flip, room, rounds.mu)

    assert shares is not None
    total = np.sum(shares.room, axis=0)
    limited = np.isfinite(room)
    assert np.all(total[limited] <= room[limited] + 1e-6)
    # The master combines block LP solutions: never above the whole LP, and at the multipliers'
    # convergence its value is the LP optimum (LP duality, checked against HiGHS's whole LP).
    lp = lp_relaxation(parts.program, None).bound
    value = shares.value + parts.program.offset
    assert value <= lp + 1e-6 * abs(lp)
    assert value >= lp - 1e-3 * abs(lp)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 4),
    st.integers(1, 3),
    st.integers(1, 3),
)
def test_pick_is_the_best_choice_by_enumeration(
    seed: int, n_blocks: int, n_plans: int, n_rows: int
) -> None:
    rng = np.random.default_rng(seed)
    usage = [
        [rng.integers(0, 6, n_rows).astype(float) for _ in range(n_plans)] for _ in range(n_blocks)
    ]
    value = [[float(rng.integers(-5, 20)) for _ in range(n_plans)] for _ in range(n_blocks)]
    choices = [[np.zeros(1)] * n_plans for _ in range(n_blocks)]
    room = rng.integers(2, 12, n_rows).astype(float)
    price = 1000.0

    picked = pick(choices, usage, value, room, price, None)

    def worth(combo: tuple[int, ...]) -> float:
        used = sum(usage[k][j] for k, j in enumerate(combo))
        over = np.clip(used - room, 0.0, None).sum()
        return sum(value[k][j] for k, j in enumerate(combo)) - price * float(over)

    best = max(worth(c) for c in itertools.product(range(n_plans), repeat=n_blocks))
    assert all(j is not None for j in picked)
    assert worth(tuple(int(j) for j in picked if j is not None)) == pytest.approx(best)


def test_pick_leaves_blocks_without_plans_out() -> None:
    picked = pick(
        [[], [np.zeros(1)]], [[], [np.array([1.0])]], [[], [3.0]], np.array([2.0]), 10.0, None
    )
    assert picked == [None, 0]


SMALL = 16
"""Styles of the season the whole plan is tested on (fast enough for CI)."""


@pytest.fixture(scope="module")
def small() -> Any:
    return many_tiny_styles(SMALL)


def _at_scale(program: Any, backend: str, plan_by: tuple[str, ...]) -> SearchState:
    """Runs ``solve_at_scale`` on ``program`` with only the plans ``plan_by``; returns its state."""
    scale.PLAN_BY = plan_by
    parts = scaled(partition(program))
    blocks = blocks_of(parts)
    executor = Executor("serial")
    executor.load([block.program for block in blocks])
    state = SearchState(None, -math.inf, math.inf)
    options = SolverOptions(engine="highs", gap=1e-9, node_limit=200, seed=0)
    scale.solve_at_scale(
        parts,
        blocks,
        bundle_of(parts, blocks),
        backend,
        options,
        state,
        executor,
        0.0,
        math.inf,
        time.perf_counter,
    )
    executor.close()
    return state


@pytest.mark.parametrize(
    ("backend", "plan_by"),
    [
        ("ortools", ("shares", "pick", "glue")),
        ("pulp", ("shares", "pick", "glue")),
        ("ortools", ("pick", "glue")),
    ],
)
def test_share_plan_is_feasible_and_never_worse_than_the_glue(
    small: Any, backend: str, plan_by: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale, "PLAN_BY", scale.PLAN_BY)
    glued = _at_scale(small, backend, ("glue",))
    both = _at_scale(small, backend, plan_by)

    assert both.x is not None
    assert glued.x is not None
    assert small.violation(both.x) <= FEASIBILITY_TOLERANCE
    assert both.value >= glued.value - 1e-6 * abs(glued.value)
    assert both.value <= both.bound + 1e-6 * abs(both.bound)
    # The best plan the engine finds on the whole program is never above the bound.
    best = get_backend(backend).solve(small, SolverOptions(gap=1e-4, time_limit=5.0))
    assert best.objective <= both.bound + 1e-6 * abs(both.bound)


def test_both_backends_give_the_same_share_plan(
    small: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale, "PLAN_BY", scale.PLAN_BY)
    states = [_at_scale(small, backend, ("shares", "pick")) for backend in ("ortools", "pulp")]

    assert states[0].x is not None
    assert states[1].x is not None
    assert states[0].value == pytest.approx(states[1].value, rel=1e-9)
    np.testing.assert_allclose(states[0].x, states[1].x, atol=1e-6)
    assert states[0].bound == pytest.approx(states[1].bound, rel=1e-9)


def _solve(program: Any, limit: float) -> Any:
    return decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        time_limit=limit,
        settings=DecomposeSettings(executor="serial"),
    )


@pytest.mark.parametrize("limit", [1.0, 3.0])
def test_a_tiny_time_limit_is_kept(program: Any, limit: float) -> None:
    began = time.perf_counter()
    result = _solve(program, limit)
    assert time.perf_counter() - began <= limit + 3.0
    if result.status.has_plan:
        assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
