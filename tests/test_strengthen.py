"""The (l,S) cover inequalities tighten the LP relaxation and never cut off the optimum."""

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
