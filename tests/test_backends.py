"""Every backend and engine finds the same optimum, and a solve repeated gives the same plan."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import small_scenarios

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program

ENGINES = [("ortools", "scip"), ("ortools", "highs"), ("pulp", "cbc"), ("pulp", "highs")]
TIGHT_GAP = 1e-9
"""Each engine stops within this relative gap, so two optima agree well within 1e-6."""


@settings(max_examples=15, deadline=None)
@given(data=small_scenarios())
def test_every_engine_finds_the_same_optimum(data: dict[str, Any]) -> None:
    # The model's own optimum: rounding to whole pieces may pick different plans per engine.
    scenario = fs.Scenario.model_validate({**data, "options": {"whole_pieces": False}})

    plans = {
        (solver, engine): fs.solve(scenario, solver, engine=engine, gap=TIGHT_GAP)
        for solver, engine in ENGINES
    }

    assert {plan.status for plan in plans.values()} == {"optimal"}
    reference = plans["ortools", "scip"].objective
    for plan in plans.values():
        assert plan.objective == pytest.approx(reference, rel=1e-6, abs=1e-6)


def without_timing(plan: fs.Plan) -> dict[str, Any]:
    data = plan.to_dict()
    del data["run"]
    return data


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=small_scenarios())
def test_same_scenario_solved_twice_gives_the_same_plan(backend: str, data: dict[str, Any]) -> None:
    scenario = fs.Scenario.model_validate(data)

    first = fs.solve(scenario, backend)
    second = fs.solve(scenario, backend)

    assert without_timing(first) == without_timing(second)


@pytest.mark.parametrize("threads", [2, 4])
def test_scip_asked_for_threads_solves_on_one_and_says_so(threads: int) -> None:
    from pathlib import Path

    from flexsupply.backends.ortools import SCIP_ONE_THREAD

    loaded = fs.load(Path(__file__).parent.parent / "scenarios" / "dual-sourcing.yaml")
    # The engine's own optimum: rounding to whole pieces would make the plan merely feasible.
    scenario = loaded.model_copy(
        update={"options": loaded.options.model_copy(update={"whole_pieces": False})}
    )

    plan = fs.solve(scenario, "ortools", engine="scip", threads=threads)

    assert plan.status == "optimal"
    assert SCIP_ONE_THREAD in plan.solver_message


@settings(max_examples=5, deadline=None)
@given(data=small_scenarios())
def test_every_engine_finds_the_same_optimum_without_its_heuristics(data: dict[str, Any]) -> None:
    scenario = fs.Scenario.model_validate({**data, "options": {"whole_pieces": False}})
    program, _ = build_program(scenario, demand_scenarios(scenario))

    results = {
        (solver, engine, heuristics): get_backend(solver).solve(
            program, SolverOptions(engine=engine, gap=TIGHT_GAP, heuristics=heuristics)
        )
        for solver, engine in ENGINES
        for heuristics in (True, False)
    }

    assert {str(result.status) for result in results.values()} == {"optimal"}
    reference = results["ortools", "scip", True].objective
    for result in results.values():
        assert result.objective == pytest.approx(reference, rel=1e-6, abs=1e-6)
