"""Styles priced out of full factory-weeks: plans that fit together, feasible for the season."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from programs import many_tiny_styles

from flexsupply.arrays import FloatArray
from flexsupply.backends import SolverOptions
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.solve.decompose.auction import settle
from flexsupply.solve.decompose.linking import partition, scaled
from flexsupply.solve.decompose.residual import FIT_TOLERANCE, residual_plan, room_rows
from flexsupply.solve.decompose.scale import by_value
from flexsupply.solve.decompose.subproblems import BlockSolution, Task, solve_task

OPTIONS = SolverOptions(engine="highs", gap=1e-6, seed=0, heuristics=False)


@pytest.fixture(scope="module")
def season() -> Any:
    """A 60-style season whose two factories bind: partition, blocks, plans alone, order."""
    from flexsupply.solve.decompose.subproblems import blocks_of

    parts = scaled(partition(many_tiny_styles()))
    blocks = blocks_of(parts)
    candidates = alone(blocks)
    order = by_value(blocks, [c if c is not None else np.zeros(0) for c in candidates])
    return parts, blocks, candidates, order


def rows_of(parts: Any) -> tuple[FloatArray, FloatArray]:
    """Each linking row's sign and room (every linking row here is one-sided)."""
    rows = room_rows(parts)
    assert rows is not None
    return rows


def serial(blocks: Sequence[Any], backend: str) -> Callable[..., Iterator[BlockSolution]]:
    """Solves blocks one after the other in this process (as the executor would)."""

    def solve(styles: Sequence[int], objective: Callable[[int], FloatArray]) -> Any:
        for k in styles:
            yield solve_task(blocks[k].program, Task(k, objective(k), backend, OPTIONS))

    return solve


def alone(blocks: Sequence[Any]) -> list[FloatArray | None]:
    """Each style's best plan with the factories to itself (μ = 0): they crowd the factories."""
    return [
        solve_task(b.program, Task(k, b.program.objective, "ortools", OPTIONS)).x
        if len(b.columns)
        else None
        for k, b in enumerate(blocks)
    ]


def fitting_in_order(
    blocks: Sequence[Any], plans: Sequence[Any], order: Sequence[int], flip: Any, room: Any
) -> list[int]:
    """The styles whose plans, taken in ``order``, fit the room the earlier ones leave."""
    left = room.copy()
    taken = []
    for k in order:
        if plans[k] is None:
            continue
        use = flip * np.asarray(blocks[k].link @ plans[k]).ravel()
        if np.all(use <= left + FIT_TOLERANCE):
            left -= use
            taken.append(k)
    return taken


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_priced_out_styles_fit_beside_the_others_and_glue_into_a_feasible_plan(
    season: Any, backend: str
) -> None:
    parts, blocks, candidates, order = season
    flip, room = rows_of(parts)
    before = fitting_in_order(blocks, candidates, order, flip, room)
    assert len(before) < len(order)
    mu = np.zeros(len(room))

    plans, first, rounds = settle(
        blocks, candidates, order, flip, room, mu, serial(blocks, backend)
    )

    assert rounds >= 1
    assert sorted(first) == sorted(order)
    taken = fitting_in_order(blocks, plans, first, flip, room)
    # The plans taken before any re-pricing are still taken, and re-pricing adds more.
    assert set(before) <= set(taken)
    assert len(taken) > len(before)
    assert first[: len(taken)] == taken
    for k in order:
        assert blocks[k].program.violation(plans[k]) <= FEASIBILITY_TOLERANCE
    glued = residual_plan(parts, blocks, plans, mu, math.inf, first)
    plain = residual_plan(parts, blocks, candidates, mu, math.inf, order)
    assert glued is not None
    assert plain is not None
    assert parts.program.violation(glued.x) <= FEASIBILITY_TOLERANCE
    assert glued.taken >= len(taken)
    assert glued.taken > plain.taken


def test_both_backends_settle_on_the_same_plans(season: Any) -> None:
    parts, blocks, candidates, order = season
    flip, room = rows_of(parts)
    mu = np.zeros(len(room))

    settled = [
        settle(blocks, candidates, order, flip, room, mu, serial(blocks, backend))
        for backend in ("ortools", "pulp")
    ]

    value = [
        sum(float(blocks[k].program.objective @ plans[k]) for k in order) for plans, _, _ in settled
    ]
    assert settled[0][1] == settled[1][1]
    assert value[0] == pytest.approx(value[1], rel=1e-6)


def test_nothing_to_settle_when_every_plan_fits(season: Any) -> None:
    parts, blocks, candidates, order = season
    flip, room = rows_of(parts)
    roomy = np.full(len(room), 1e9)

    plans, first, rounds = settle(
        blocks, candidates, order, flip, roomy, np.zeros(len(room)), serial(blocks, "ortools")
    )

    assert rounds == 0
    assert first == order
    assert all(p is c for p, c in zip(plans, candidates, strict=True))
