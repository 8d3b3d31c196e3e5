"""Two-stage plans: fast reorders pay, VSS and EVPI are never negative, first stages can be fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import small_scenarios

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.demand import demand_scenarios
from flexsupply.model.build import first_stage_of
from flexsupply.scenario import Risk, Service
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.stochastic import (
    mean_demand,
    mean_plan_on_scenarios,
    mean_value_plan,
    solve_program,
    stochastic_report,
)

CASES = Path(__file__).parent / "data" / "stochastic"
TOLERANCE = 1e-6


def first_batch(plan: fs.Plan) -> float:
    return sum(order.quantity for order in plan.orders if order.scenario is None)


def test_fast_reorder_supplier_shrinks_the_first_batch_and_raises_profit(backend: str) -> None:
    with_fast = fs.load(CASES / "fast_reorder.yaml")
    without = with_fast.model_copy(update={"suppliers": with_fast.suppliers[:1]})

    flexible = fs.solve(with_fast, backend)
    rigid = fs.solve(without, backend)

    assert first_batch(flexible) < first_batch(rigid) - 1.0
    assert flexible.kpis.expected_profit > rigid.kpis.expected_profit + 1.0
    reorders = [order for order in flexible.orders if order.scenario is not None]
    assert reorders
    assert {order.supplier for order in reorders} == {"FAST"}
    assert {order.scenario for order in reorders} <= {"steady", "hit"}


def test_stochastic_report_of_fast_reorder_season(backend: str) -> None:
    # First batch 40 + 40 from SLOW, FAST tops up the steady and hit futures (hand-checked).
    report = stochastic_report(fs.load(CASES / "fast_reorder.yaml"), SolveSettings(backend))

    assert report.rp == pytest.approx(12112.0)
    assert report.ev == pytest.approx(14000.0)  # mean demand 100 a week, all from SLOW
    assert report.eev == pytest.approx(11770.0)
    assert report.vss == pytest.approx(342.0)
    assert report.ws == pytest.approx(14000.0)
    assert report.evpi == pytest.approx(1888.0)


def test_mean_demand_plan_without_feasible_recourse_has_unbounded_vss() -> None:
    scenario = fs.load(CASES / "service.yaml")
    report = stochastic_report(scenario.model_copy(update={"service": Service(min_fill_rate=0.8)}))

    assert report.eev is None
    assert report.vss is None
    assert report.evpi >= -TOLERANCE


def test_first_stage_of_the_plan_fixed_gives_back_its_objective(backend: str) -> None:
    scenario = fs.load(CASES / "fast_reorder.yaml")
    demand = demand_scenarios(scenario)
    chosen, deadline = SolveSettings(backend), Deadline(None)
    result, model = solve_program(scenario, demand, chosen, deadline)

    fixed, _ = solve_program(scenario, demand, chosen, deadline, first_stage_of(model, result.x))

    assert fixed.objective == pytest.approx(result.objective)


@pytest.mark.parametrize("cvar_weight", [0.0, 0.5])
def test_eev_per_scenario_equals_the_joint_solve_with_the_first_stage_fixed(
    backend: str, cvar_weight: float
) -> None:
    risk = Risk(cvar_weight=cvar_weight, cvar_alpha=0.5) if cvar_weight else None
    scenario = fs.load(CASES / "fast_reorder.yaml").model_copy(update={"risk": risk})
    demand = demand_scenarios(scenario)
    chosen, deadline = SolveSettings(backend), Deadline(None)
    _, first_stage = mean_value_plan(scenario, demand, chosen, deadline)
    joint, _ = solve_program(scenario, demand, chosen, deadline, first_stage)

    eev = mean_plan_on_scenarios(scenario, demand, first_stage, chosen, deadline)

    assert joint.status.has_plan
    assert eev == pytest.approx(joint.objective)
    if risk is None:
        assert eev == pytest.approx(11770.0)  # as in the report above


def test_mean_demand_is_one_scenario_of_probability_one() -> None:
    demand = demand_scenarios(fs.load(CASES / "fast_reorder.yaml"))

    mean = mean_demand(demand)

    assert mean.units.shape == (1, 1, 4)
    assert mean.units[0, 0].tolist() == pytest.approx([0, 0, 100, 100])
    assert mean.probabilities.tolist() == [1.0]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=small_scenarios(),
    weight=st.sampled_from([0.0, 0.0, 0.5]),
    service=st.sampled_from([None, None, 0.5]),
)
def test_vss_and_evpi_are_never_negative(
    data: dict[str, object], weight: float, service: float | None
) -> None:
    scenario = fs.Scenario.model_validate(data)
    update: dict[str, object] = {"risk": Risk(cvar_weight=weight, cvar_alpha=0.5)}
    if service is not None:
        update["service"] = Service(min_fill_rate=service)
    scenario = scenario.model_copy(update=update)
    try:
        report = stochastic_report(scenario)
    except fs.SolveError:
        assert service is not None  # a fill-rate target may be out of reach
        return

    slack = TOLERANCE * max(1.0, abs(report.rp))
    assert report.vss is None or report.vss >= -slack
    assert report.evpi >= -slack


def test_solve_stochastic_report_prints_it_and_writes_it_to_plan_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "solve",
            str(CASES / "fast_reorder.yaml"),
            "--stochastic-report",
            "--out-dir",
            str(tmp_path),
        ],
    )

    assert result.exit_code == 0, result.output
    assert "Stochastic report" in result.output
    assert "value of stochastic solution (VSS)       342 CNY" in result.output
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["stochastic"]["vss"] == pytest.approx(342.0)
    assert set(plan["stochastic"]) >= {"rp", "ev", "eev", "vss", "ws", "evpi"}


def test_plan_json_has_no_stochastic_key_unless_asked(tmp_path: Path) -> None:
    plan = fs.solve(fs.load(CASES / "fast_reorder.yaml"))

    assert "stochastic" not in plan.to_dict()
