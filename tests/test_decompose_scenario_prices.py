"""The agreement multipliers by scenario: every round a valid bound, a stabilised step."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.backends import SolverOptions, Status, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose import scenario_prices, scenario_split
from flexsupply.solve.decompose.part_solve import PartJob, solve_part
from flexsupply.solve.decompose.scenario_parts import (
    ScenarioParts,
    first_stage_columns,
    scenario_anchors,
    scenario_parts,
)
from flexsupply.solve.decompose.scenario_prices import Prices, step
from flexsupply.solve.stochastic import risk_neutral

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def _season(name: str) -> tuple[LinearProgram, ScenarioParts]:
    scenario = risk_neutral(fs.load(SCENARIOS / f"{name}.yaml"), keep_service=False)
    demand = demand_scenarios(scenario)
    program, model = build_program(scenario, demand)
    anchors = scenario_anchors(model, program.n_columns)
    parts = scenario_parts(program, first_stage_columns(model), anchors, demand.probabilities)
    assert parts is not None
    return program, parts


def _bound(
    program: LinearProgram, parts: ScenarioParts, multipliers: np.ndarray, backend: str
) -> tuple[float, np.ndarray | None]:
    """Returns L(λ) (each part's proven bound) and the parts' copies."""
    first_cost = program.objective[parts.shared]
    answers = []
    for k, block in enumerate(parts.programs(program)):
        objective = scenario_split._priced(block, parts, k, first_cost, multipliers[k])
        job = PartJob(
            replace(block, objective=objective), "bound", 1e-6, 60.0, backend, SolverOptions()
        )
        answers.append(solve_part(job))
    value = program.offset + sum(answer.bound for answer in answers)
    return value, scenario_split._copies(parts, [answer.x for answer in answers])


@pytest.mark.parametrize("name", ["group-buy"])
def test_every_round_of_stabilised_steps_is_a_bound_above_the_optimum(
    name: str, backend: str
) -> None:
    program, parts = _season(name)
    assert program.maximize
    whole = get_backend(backend).solve(program, SolverOptions(gap=1e-7))
    assert whole.status == Status.OPTIMAL
    optimum = whole.objective
    # A plan below the optimum: the steps aim past it, so λ moves every round.
    best = optimum - 0.05 * abs(optimum)
    prices = Prices(np.zeros((parts.n_parts, len(parts.shared))))
    multipliers: np.ndarray | None = prices.centre
    bounds = []
    while multipliers is not None and len(bounds) < 4:
        value, copies = _bound(program, parts, multipliers, backend)
        bounds.append(value)
        multipliers = prices.after(multipliers, value, copies, best)

    assert len(bounds) >= 2
    tolerance = 1e-6 * max(abs(optimum), 1.0)
    assert min(bounds) >= optimum - tolerance
    assert prices.centre_bound == min(bounds)


def test_a_round_that_does_not_lower_the_bound_halves_the_step_from_the_centre() -> None:
    copies = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    prices = Prices(np.zeros((3, 2)))
    first = prices.after(prices.centre, 100.0, copies, 90.0)
    assert first is not None
    np.testing.assert_allclose(prices.centre, 0.0)

    again = prices.after(first, 120.0, copies[::-1], 90.0)

    assert again is not None
    assert prices.factor == scenario_prices.STEP * scenario_prices.SHRINK
    assert prices.centre_bound == 100.0
    # Half the step from the same centre, along the centre's own subgradient.
    np.testing.assert_allclose(again, 0.5 * first)

    prices.after(again, 95.0, copies, 90.0)

    np.testing.assert_array_equal(prices.centre, again)
    assert prices.centre_bound == 95.0


def test_no_direction_or_no_excess_means_no_step() -> None:
    prices = Prices(np.zeros((2, 3)))

    assert prices.after(prices.centre, math.inf, None, 0.0) is None
    assert step(np.zeros((2, 3)), np.ones((2, 3)), 0.0) is None
    assert step(np.zeros((2, 3)), np.zeros((2, 3)), 10.0) is None


@settings(max_examples=50, deadline=None)
@given(
    copies=st.lists(
        st.lists(st.floats(0.0, 1_000.0), min_size=3, max_size=3), min_size=2, max_size=6
    ),
    excess=st.floats(1e-3, 1e6),
)
def test_multipliers_keep_summing_to_zero_so_every_round_is_a_bound(
    copies: list[list[float]], excess: float
) -> None:
    # Σ_k λ_k = 0 is what makes the priced copies' sum a bound (docs/model.md).
    prices = Prices(np.zeros((len(copies), 3)))
    stepped = prices.after(prices.centre, excess + 1.0, np.asarray(copies), 1.0)
    again = (
        None if stepped is None else prices.after(stepped, excess, np.asarray(copies)[::-1], 1.0)
    )

    for multipliers in (stepped, again):
        if multipliers is None:
            continue
        size = max(float(np.abs(multipliers).max()), 1.0)
        np.testing.assert_allclose(multipliers.sum(axis=0), 0.0, atol=1e-12 * size * len(copies))
