"""The (l,S) cover inequalities tighten the LP relaxation and never cut off the optimum.

Single-order rows are written by the builder; multi-order rows are separated at LP points.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from oracles import read_trigeiro, trigeiro_scenario
from strategies import small_scenarios

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.program import LinearProgram
from flexsupply.model.strengthen import (
    CoverData,
    CutRows,
    separate_cover_cuts,
    with_cover_rows,
)

TRIGEIRO = Path(__file__).parent / "data" / "trigeiro"
EXACT = SolverOptions(gap=1e-9)


def optimum(
    scenario: fs.Scenario, strengthen: bool, relax: bool = False, backend: str = "ortools"
) -> float:
    program, _ = build_program(scenario, demand_scenarios(scenario), strengthen=strengthen)
    if relax:
        program = dataclasses.replace(program, integer=np.zeros_like(program.integer))
    result = get_backend(backend).solve(program, EXACT)
    assert result.status == "optimal"
    return result.objective


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
@settings(max_examples=20, deadline=None)
@given(data=small_scenarios())
def test_cover_cuts_keep_the_optimum_and_tighten_the_relaxation(
    backend: str, data: dict[str, Any]
) -> None:
    scenario = fs.Scenario.model_validate(data)

    assert optimum(scenario, True, backend=backend) == pytest.approx(
        optimum(scenario, False, backend=backend), rel=1e-6, abs=1e-4
    )
    assert optimum(scenario, True, relax=True) <= optimum(scenario, False, relax=True) + 1e-6


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
@pytest.mark.parametrize("name", ["F22", "G11"])
def test_cover_cuts_keep_lot_sizing_optima_and_raise_the_lower_bound(
    name: str, backend: str
) -> None:
    scenario = trigeiro_scenario(read_trigeiro(TRIGEIRO / f"{name}.DAT"))

    assert optimum(scenario, True, backend=backend) == pytest.approx(
        optimum(scenario, False, backend=backend)
    )
    assert optimum(scenario, True, relax=True) > optimum(scenario, False, relax=True) + 1.0


def test_cover_cuts_are_added_only_for_switched_orders() -> None:
    scenario = fs.loads(
        """
        horizon: {periods: 3}
        products: [{id: TEE, price: 20}]
        suppliers:
          - id: PLAIN
            terms: [{product: TEE, unit_cost: 10}]
        demand: {units: {TEE: [10, 10, 10]}}
        """
    )

    program, _ = build_program(scenario, demand_scenarios(scenario))

    assert "order_cover" not in program.row_blocks


def cover_of(scenario: fs.Scenario) -> tuple[LinearProgram, CoverData]:
    program, model = build_program(scenario, demand_scenarios(scenario), strengthen=False)
    assert model.cover is not None
    return program, model.cover


def relaxed_program(program: LinearProgram) -> LinearProgram:
    return dataclasses.replace(program, integer=np.zeros_like(program.integer))


def separated(program: LinearProgram, cover: CoverData, rounds: int = 5) -> CutRows:
    """Returns every row separated in a few rounds of LP, cut, LP."""
    backend = get_backend("ortools")
    found: list[CutRows] = []
    current = program
    for _ in range(rounds):
        x = backend.solve(relaxed_program(current), EXACT).x
        cuts = separate_cover_cuts(cover, x)
        if not cuts.n_rows:
            break
        value = cuts.matrix(program.n_columns) @ x
        assert (value > 0).all()
        found.append(cuts)
        current = with_cover_rows(current, cuts)
    return CutRows.join(found)


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
@settings(max_examples=15, deadline=None)
@given(data=small_scenarios())
def test_separated_rows_keep_the_optimum_and_never_loosen_the_relaxation(
    backend: str, data: dict[str, Any]
) -> None:
    scenario = fs.Scenario.model_validate(data)
    program, cover = cover_of(scenario)
    cuts = separated(program, cover)
    solver = get_backend(backend)

    plain = solver.solve(program, EXACT)
    cut = solver.solve(with_cover_rows(program, cuts), EXACT)

    assert plain.status == cut.status == "optimal"
    assert cut.objective == pytest.approx(plain.objective, rel=1e-6, abs=1e-4)
    assert (cuts.matrix(program.n_columns) @ plain.x <= 1e-6 * (1 + abs(plain.x).max())).all()
    lp_plain = get_backend("ortools").solve(relaxed_program(program), EXACT).objective
    lp_cut = (
        get_backend("ortools")
        .solve(relaxed_program(with_cover_rows(program, cuts)), EXACT)
        .objective
    )
    assert lp_cut <= lp_plain + 1e-6 * max(1.0, abs(lp_plain))


def test_two_orders_share_one_cover_row() -> None:
    scenario = fs.loads(
        """
        horizon: {periods: 3}
        products: [{id: TEE, price: 50, salvage_value: 0}]
        suppliers:
          - id: NEAR
            terms: [{product: TEE, unit_cost: 10, setup_cost: 100, moq: 1}]
          - id: FAR
            terms: [{product: TEE, unit_cost: 9, setup_cost: 100, moq: 1, lead_time_periods: 1}]
        demand: {units: {TEE: [10, 10, 10]}}
        """
    )
    program, cover = cover_of(scenario)
    x = np.zeros(program.n_columns)
    # Each order pays a tenth of its setup for 30 units: 10 arrive too early for the window.
    x[cover.order[:, 0, 0]] = 30.0
    x[cover.switch[:, 0, 0]] = 0.1

    cuts = separate_cover_cuts(cover, x)

    rows = cuts.matrix(program.n_columns).toarray()
    both = [row for row in rows if np.count_nonzero(row[cover.order[:, 0, 0]]) == 2]
    assert both
    # Window 1..2 (0-based l = 2): NEAR placed in 0 covers periods 0..2 = 30 units, FAR
    # (arriving in 1) covers 20; I[2] has coefficient -1.
    row = next(r for r in both if r[cover.inventory[0, 2, 0]] == -1.0)
    assert sorted(-row[cover.switch[:, 0, 0]]) == pytest.approx([20.0, 30.0])
    assert row[cover.order[:, 0, 0]] == pytest.approx([1.0, 1.0])


def test_cut_rows_stay_as_they_are_when_made_a_matrix() -> None:
    cuts = CutRows(np.array([0, 3]), np.array([5, 1, 3]), np.array([1.0, -2.0, -1.0]))

    matrix = cuts.matrix(6)

    assert cuts.columns.tolist() == [5, 1, 3]
    assert cuts.values.tolist() == [1.0, -2.0, -1.0]
    assert matrix.toarray().tolist() == [[0.0, -2.0, 0.0, -1.0, 0.0, 1.0]]
    assert matrix.has_sorted_indices
