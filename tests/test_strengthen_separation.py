"""Separated multi-order (l,S) inequalities: violated where found, never cut off an optimum."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from strategies import small_scenarios

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.levers import lever_room
from flexsupply.model.program import LinearProgram
from flexsupply.model.strengthen import CoverData, CutRows, cover_data, separate_cover_cuts

EXACT = SolverOptions(gap=1e-9)


def cover_of(scenario: fs.Scenario) -> tuple[LinearProgram, CoverData]:
    demand = demand_scenarios(scenario)
    program, model = build_program(scenario, demand, strengthen=False)
    potential = demand.units + lever_room(scenario, demand.units, demand.probabilities)
    cover = cover_data(
        model.data, potential, model.orders.order, model.orders.switch, model.flows.inventory
    )
    return program, cover


def relaxed(program: LinearProgram) -> LinearProgram:
    return dataclasses.replace(program, integer=np.zeros_like(program.integer))


def with_rows(program: LinearProgram, cuts: CutRows) -> LinearProgram:
    return dataclasses.replace(
        program,
        matrix=sp.csr_matrix(sp.vstack([program.matrix, cuts.matrix(program.n_columns)])),
        row_lower=np.concatenate([program.row_lower, np.full(cuts.n_rows, -np.inf)]),
        row_upper=np.concatenate([program.row_upper, np.zeros(cuts.n_rows)]),
    )


def separated(program: LinearProgram, cover: CoverData, rounds: int = 5) -> CutRows:
    """Returns every row separated in a few rounds of LP, cut, LP."""
    backend = get_backend("ortools")
    found: list[CutRows] = []
    current = program
    for _ in range(rounds):
        x = backend.solve(relaxed(current), EXACT).x
        cuts = separate_cover_cuts(cover, x)
        if not cuts.n_rows:
            break
        value = cuts.matrix(program.n_columns) @ x
        assert (value > 0).all()
        found.append(cuts)
        current = with_rows(current, cuts)
    starts, columns, values = [0], [], []
    for cuts in found:
        starts += (cuts.starts[1:] + starts[-1]).tolist()
        columns.append(cuts.columns)
        values.append(cuts.values)
    if not found:
        return CutRows(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    return CutRows(np.array(starts), np.concatenate(columns), np.concatenate(values))


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
    cut = solver.solve(with_rows(program, cuts), EXACT)

    assert plain.status == cut.status == "optimal"
    assert cut.objective == pytest.approx(plain.objective, rel=1e-6, abs=1e-4)
    assert (cuts.matrix(program.n_columns) @ plain.x <= 1e-6 * (1 + abs(plain.x).max())).all()
    lp_plain = get_backend("ortools").solve(relaxed(program), EXACT).objective
    lp_cut = get_backend("ortools").solve(relaxed(with_rows(program, cuts)), EXACT).objective
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
