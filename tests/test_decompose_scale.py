"""Decomposition at scale: grouped bundle cuts, block-LP rounds, the sweep and the glued plan."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from programs import many_tiny_styles

from flexsupply.backends import SolverOptions, get_backend
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.solve.decompose import DecomposeSettings, decompose, method, residual, scale
from flexsupply.solve.decompose.bundle import Bundle, bundle_of, groups_of
from flexsupply.solve.decompose.linking import partition, scaled
from flexsupply.solve.decompose.primal import PlanSearch
from flexsupply.solve.decompose.relaxation import lp_relaxation
from flexsupply.solve.decompose.residual import (
    RESOLVE_GAP,
    joint_plan,
    residual_plan,
    trade_room,
)
from flexsupply.solve.decompose.subproblems import blocks_of


@pytest.fixture(scope="module")
def program() -> Any:
    return many_tiny_styles()


@pytest.fixture(scope="module")
def optimum(program: Any) -> float:
    """The best plan one engine call finds in 30 s: a lower bound on the optimum.

    SCIP and HiGHS do not prove this 60-style lot-sizing season optimal within a minute (both
    end about 0.1 % apart), so the bound is checked against their plan, which it must never be
    below, and our plan against their bound.
    """
    result = get_backend("ortools").solve(program, SolverOptions(gap=1e-9, time_limit=30.0))
    assert result.status.has_plan
    return float(result.objective)


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_decomposition_at_scale_bounds_the_optimum_and_plans_feasibly(
    backend: str, program: Any, optimum: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale, "AT_SCALE_ROWS", 0)
    monkeypatch.setattr(scale, "CUT_GROUPS", 4)
    monkeypatch.setattr(scale, "CUT_MEMORY", 3)
    assert program.maximize
    assert scale.at_scale(program)
    tried: list[str] = []
    repair = scale.repair

    def spy(*args: Any, **kwargs: Any) -> int:
        tried.append(args[5])
        return repair(*args, **kwargs)

    monkeypatch.setattr(scale, "repair", spy)

    result = decompose(
        program,
        get_backend(backend),
        SolverOptions(gap=1e-9),
        time_limit=600.0,
        settings=DecomposeSettings(executor="serial"),
    )

    assert result.extra["iterations"] >= 2
    assert result.extra["lp_bound"] >= optimum - 1e-6 * abs(optimum)
    assert result.extra["lagrangian_bound"] >= optimum - 1e-6 * abs(optimum)
    assert result.bound >= optimum - 1e-6 * abs(optimum)
    assert result.status.has_plan
    assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
    assert result.objective <= result.bound + 1e-6 * abs(optimum)
    # The plan glued style by style is within a few per cent of the optimum here.
    assert result.objective >= 0.9 * optimum
    # The whole sweep ran, so the picked plans are glued with and without the re-pricing (and
    # the best kept): the re-pricing never makes the plan worse.
    assert tried[:2] == ["picked styles, priced out", "picked styles"]


def test_at_scale_rounds_never_bound_below_the_whole_lp(program: Any) -> None:
    from flexsupply.solve.decompose.lp_rounds import lp_rounds

    parts = scaled(partition(program))
    blocks = blocks_of(parts)
    bundle = bundle_of(parts, blocks)
    bundle.group, bundle.memory = groups_of(len(blocks), 5), 4
    start = bundle.feasible_start(np.zeros(len(parts.linking_rows)))
    lp = lp_relaxation(parts.program, None).bound
    found = lp_rounds(blocks, bundle, start, parts.program.offset, 0.3, math.inf, lambda: 0.0, 15)
    assert found.rounds >= 2
    assert found.bound >= lp - 1e-6 * abs(lp)
    # Rounds move the multipliers towards the LP optimum: the bound falls from μ = 0's.
    assert bundle.centre_value <= found.bound + 1e-9


def test_glued_plan_keeps_capacity_that_the_candidates_break(program: Any) -> None:
    parts = scaled(partition(program))
    blocks = blocks_of(parts)
    # Each style alone (μ = 0) orders as if it had the factories to itself.
    options = SolverOptions(engine="highs", gap=1e-9)
    candidates = [
        get_backend("ortools").solve(block.program, options).x if len(block.columns) else None
        for block in blocks
    ]
    glued = np.zeros(parts.program.n_columns)
    for block, x in zip(blocks, candidates, strict=True):
        if x is not None:
            glued[block.columns] = x
    assert parts.program.violation(glued) > 1.0

    plan = residual_plan(parts, blocks, candidates, np.zeros(len(parts.linking_rows)), math.inf)

    assert plan is not None
    assert plan.resolved >= 1
    assert plan.taken >= 1
    assert parts.program.violation(plan.x) <= FEASIBILITY_TOLERANCE


def _bundle_of(n_blocks: int, groups: int | None, memory: int | None = None) -> Bundle:
    return Bundle(
        lower=np.zeros(2),
        upper=np.full(2, np.inf),
        row_lower=np.full(2, -np.inf),
        row_upper=np.array([4.0, 6.0]),
        recession=sp.csr_matrix((0, 2)),
        recession_lower=np.zeros(0),
        recession_upper=np.zeros(0),
        n_blocks=n_blocks,
        centre=np.zeros(2),
        group=None if groups is None else groups_of(n_blocks, groups),
        memory=memory,
    )


@pytest.mark.parametrize(("n_blocks", "groups"), [(6, 2), (5, 3), (4, 4), (3, 1)])
def test_grouped_cuts_are_the_sums_of_their_blocks_cuts(n_blocks: int, groups: int) -> None:
    bundle = _bundle_of(n_blocks, groups)
    rng = np.random.default_rng(n_blocks)
    constants, slopes = rng.uniform(1, 5, n_blocks), rng.uniform(0, 3, (n_blocks, 2))
    for k in range(n_blocks):
        bundle.add_cut(k, float(constants[k]), slopes[k])
    bundle.serious(np.zeros(2), float(constants.sum()), math.inf)
    assert bundle.cuts() == groups
    group = groups_of(n_blocks, groups)
    for g in range(groups):
        members = group == g
        assert bundle._cut_constant[g] == pytest.approx(constants[members].sum())
        np.testing.assert_allclose(bundle._cut_slope[g], slopes[members].sum(axis=0))


def test_a_group_missing_a_block_gives_no_cut_and_memory_forgets_old_rounds() -> None:
    bundle = _bundle_of(4, 2, memory=2)
    bundle.set_step(1.0)
    for evaluation in range(4):
        for k in range(4 if evaluation else 3):  # the first round lacks block 3
            bundle.add_cut(k, 1.0 + evaluation, np.array([1.0, 2.0]))
        bundle.serious(np.zeros(2), 100.0 - evaluation, 200.0)
        bundle.next_point()
    assert set(bundle._cut_round) <= {0, 2, 3}
    assert 1 not in bundle._cut_round
    assert bundle._cut_round.count(0) <= 1  # the centre's round, only its whole group


def test_subgradient_step_moves_multipliers_against_the_excess() -> None:
    bundle = _bundle_of(2, None)
    bundle.set_step(0.5)
    bundle.add_cut(0, 10.0, np.array([5.0, 1.0]))
    bundle.add_cut(1, 10.0, np.array([3.0, 1.0]))
    bundle.serious(np.zeros(2), 20.0, math.inf)
    step = bundle.subgradient_step()
    assert step is not None
    mu, predicted = step
    # Row 0 is used 8 of 4: its price rises; row 1 (2 of 6) stays at 0.
    assert mu[0] == pytest.approx(0.5 * 4.0)
    assert mu[1] == 0.0
    assert predicted <= 20.0


@pytest.mark.parametrize("groups", [None, 7])
def test_box_master_reaches_the_whole_lp_optimum(program: Any, groups: int | None) -> None:
    from flexsupply.solve.decompose.lp_rounds import lp_rounds

    parts = scaled(partition(program))
    blocks = blocks_of(parts)
    bundle = bundle_of(parts, blocks)
    bundle.box, bundle.memory = True, 10
    if groups is not None:
        bundle.group = groups_of(len(blocks), groups)
    start = bundle.feasible_start(np.zeros(len(parts.linking_rows)))
    lp = lp_relaxation(parts.program, None).bound

    found = lp_rounds(blocks, bundle, start, parts.program.offset, 0.3, math.inf, lambda: 0.0, 60)

    # LP duality: min over μ of the blocks' priced LPs is the whole LP's optimum.
    assert found.bound >= lp - 1e-6 * abs(lp)
    assert found.bound <= lp + 1e-4 * abs(lp)


def _glued_at_zero(program: Any) -> tuple[Any, list[Any], list[Any], Any]:
    """The partition, its blocks, each style's plan alone (μ = 0) and the plan glued from them."""
    parts = scaled(partition(program))
    blocks = blocks_of(parts)
    candidates = [
        get_backend("ortools").solve(block.program, SolverOptions(gap=1e-9)).x
        if len(block.columns)
        else None
        for block in blocks
    ]
    glued = residual_plan(parts, blocks, candidates, np.zeros(len(parts.linking_rows)), math.inf)
    assert glued is not None
    return parts, blocks, candidates, glued


def _fixed_lp_value(program: Any, x: Any, backend: str) -> float:
    """The best plan with ``x``'s integer columns fixed, by one engine call of ``backend``.

    Returns -inf when those switches leave no feasible plan.
    """
    ints = program.integer
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    lower[ints] = upper[ints] = np.round(x[ints])
    fixed = replace(program, col_lower=lower, col_upper=upper)
    result = get_backend(backend).solve(fixed, SolverOptions(gap=1e-9))
    return float(result.objective) if result.status.has_plan else -math.inf


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_joint_plan_is_the_fixed_switches_optimum_of_the_other_backend(
    program: Any, backend: str
) -> None:
    parts, blocks, candidates, glued = _glued_at_zero(program)
    side_by_side = glued.x.copy()
    for block, x in zip(blocks, candidates, strict=True):
        if x is not None:
            side_by_side[block.columns] = x

    joint = joint_plan(parts, [side_by_side, glued.x], math.inf)

    assert joint is not None
    plan, value = joint
    original = plan[: parts.n_original]
    assert program.violation(original) <= FEASIBILITY_TOLERANCE
    assert program.value(original) == pytest.approx(value)
    assert value >= parts.program.value(glued.x) - 1e-6 * abs(value)
    best = max(
        _fixed_lp_value(program, source[: parts.n_original], backend)
        for source in (side_by_side, glued.x)
    )
    assert value == pytest.approx(best, rel=1e-6)


def test_joint_plan_with_the_optimums_switches_is_the_optimum(program: Any) -> None:
    result = get_backend("pulp").solve(program, SolverOptions(gap=1e-9, time_limit=30.0))
    assert result.status.has_plan
    parts = scaled(partition(program))

    joint = joint_plan(parts, [parts.extend(result.x)], math.inf)

    assert joint is not None
    # Fixing the switches of the backend's plan, the LP finds its quantities or better ones.
    assert joint[1] >= float(result.objective) - 1e-6 * abs(float(result.objective))
    assert program.violation(joint[0][: parts.n_original]) <= FEASIBILITY_TOLERANCE


def test_trading_room_gives_styles_back_the_room_others_leave(program: Any) -> None:
    parts, blocks, _, glued = _glued_at_zero(program)
    joint = joint_plan(parts, [glued.x], math.inf)
    assert joint is not None
    full = joint[0]
    worth = [
        float(b.program.objective @ full[b.columns]) if len(b.columns) else 0.0 for b in blocks
    ]
    dropped = np.argsort(worth)[-3:]
    # Three styles ordering nothing: a feasible plan (no presale here) that leaves their room.
    start = full.copy()
    for k in dropped:
        start[blocks[k].columns] = 0.0
    assert parts.program.violation(start) <= FEASIBILITY_TOLERANCE
    own_plans = [full[b.columns] for b in blocks]

    traded, changed = trade_room(parts, blocks, start, own_plans, math.inf)

    # Only the dropped styles lost value against their own plans, so only they are re-planned;
    # each finds at least its old plan inside its room, up to the MIP's gap.
    assert changed == 3
    assert parts.program.violation(traded) <= FEASIBILITY_TOLERANCE
    for k, block in enumerate(blocks):
        value = float(block.program.objective @ traded[block.columns]) if len(block.columns) else 0
        if k in dropped:
            assert value >= worth[k] - RESOLVE_GAP * abs(worth[k])
        else:
            np.testing.assert_array_equal(traded[block.columns], start[block.columns])


def test_a_glue_long_past_its_deadline_gives_styles_that_fit_nothing_the_empty_plan(
    program: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, blocks, candidates, glued = _glued_at_zero(program)
    assert glued.resolved >= 1
    monkeypatch.setattr(residual, "OVERRUN_SECONDS", 0.0)

    late = residual_plan(parts, blocks, candidates, np.zeros(len(parts.linking_rows)), 0.0)

    assert late is not None
    assert (late.taken, late.resolved, late.time_limited) == (glued.taken, glued.resolved, True)
    assert parts.program.violation(late.x) <= FEASIBILITY_TOLERANCE
    replanned = [
        k
        for k, (block, x) in enumerate(zip(blocks, candidates, strict=True))
        if x is not None and not np.array_equal(late.x[block.columns], x)
    ]
    assert len(replanned) == glued.resolved
    assert all(not np.any(late.x[blocks[k].columns]) for k in replanned)
    assert parts.program.value(late.x) <= parts.program.value(glued.x) + 1e-9


def test_no_step_loads_a_program_above_the_whole_program_size_into_highs(
    program: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, _, _, glued = _glued_at_zero(program)
    monkeypatch.setattr(residual, "WHOLE_PROGRAM_COLUMNS", parts.program.n_columns - 1)
    assert joint_plan(parts, [glued.x], math.inf) is None
    monkeypatch.setattr(scale, "AT_SCALE_ROWS", 0)
    monkeypatch.setattr(method, "WHOLE_PROGRAM_COLUMNS", 0)

    def whole_program_search(self: Any) -> None:
        raise AssertionError("the plan search over the whole program ran")

    monkeypatch.setattr(PlanSearch, "run", whole_program_search)
    result = decompose(
        program,
        get_backend("ortools"),
        SolverOptions(gap=1e-9),
        time_limit=600.0,
        settings=DecomposeSettings(executor="serial"),
    )

    assert result.status.has_plan
    assert program.violation(result.x) <= FEASIBILITY_TOLERANCE


def test_a_style_whose_replan_finds_nothing_in_time_gets_the_empty_plan(
    program: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, blocks, candidates, glued = _glued_at_zero(program)
    monkeypatch.setattr(residual, "_plan_inside", lambda *args: None)

    plan = residual_plan(parts, blocks, candidates, np.zeros(len(parts.linking_rows)), math.inf)

    assert plan is not None
    assert plan.resolved == glued.resolved
    assert parts.program.violation(plan.x) <= FEASIBILITY_TOLERANCE


def test_styles_worth_most_come_first_and_the_glue_takes_them_in_that_order(
    program: Any,
) -> None:
    parts, blocks, candidates, _ = _glued_at_zero(program)
    order = scale.by_value(blocks, [c if c is not None else np.zeros(0) for c in candidates])
    worth = [float(blocks[k].program.objective @ candidates[k]) for k in order]
    assert sorted(order) == [k for k, b in enumerate(blocks) if len(b.columns)]
    assert worth == sorted(worth, reverse=True)
    zero = np.zeros(len(parts.linking_rows))

    for first in (order, order[::-1]):
        plan = residual_plan(parts, blocks, candidates, zero, math.inf, first)

        assert plan is not None
        assert parts.program.violation(plan.x) <= FEASIBILITY_TOLERANCE
        # Alone in the factories, the style taken first always keeps its own plan.
        np.testing.assert_array_equal(plan.x[blocks[first[0]].columns], candidates[first[0]])
