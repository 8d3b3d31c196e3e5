"""CVaR of loss (Rockafellar–Uryasev) and expected service targets: hand values, both backends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.risk import cvar
from flexsupply.scenario import Risk, Service

CASES = Path(__file__).parent / "data" / "stochastic"


def with_risk(scenario: fs.Scenario, weight: float, alpha: float = 0.7) -> fs.Scenario:
    return scenario.model_copy(update={"risk": Risk(cvar_weight=weight, cvar_alpha=alpha)})


@pytest.mark.parametrize(
    ("alpha", "expected"),
    [
        (0.5, (0.2 * 200 + 0.3 * 50) / 0.5),  # the tail takes all of 200 and all of 50
        (0.7, (0.2 * 200 + 0.1 * 50) / 0.3),  # the tail splits the atom at 50
        (0.8, 200.0),  # the tail is exactly the atom at 200
        (0.95, 200.0),
    ],
)
def test_cvar_of_three_scenarios_is_the_mean_of_the_worst_tail(
    alpha: float, expected: float
) -> None:
    losses = np.array([50.0, -100.0, 200.0])
    probabilities = np.array([0.3, 0.5, 0.2])

    assert cvar(losses, probabilities, alpha) == pytest.approx(expected)


def test_cvar_of_one_scenario_is_its_loss() -> None:
    assert cvar(np.array([-42.0]), np.array([1.0]), 0.9) == pytest.approx(-42.0)


def test_cvar_kpi_of_toy_newsvendor_equals_hand_value(backend: str) -> None:
    # q = 200: profits 300 (low, 0.3) and 1200 (mid and high, 0.7); the worst 30 % is "low".
    plan = fs.solve(fs.load(CASES / "newsvendor3.yaml"), backend)

    assert [order.quantity for order in plan.orders] == pytest.approx([200.0])
    assert plan.kpis.expected_profit == pytest.approx(930.0)
    assert plan.kpis.cvar == pytest.approx(-300.0)
    assert plan.kpis.cvar_alpha == 0.7


def test_cvar_block_values_the_tail_like_the_kpi(backend: str) -> None:
    # λ = 2 makes q = 100 optimal: profit 600 in every future, so CVaR of loss is -600.
    scenario = with_risk(fs.load(CASES / "newsvendor3.yaml"), 2.0)
    program, model = build_program(scenario, demand_scenarios(scenario))
    assert model.cvar is not None
    assert {"cvar_threshold", "cvar_excess"} <= set(program.column_blocks)

    plan = fs.solve(scenario, backend)

    assert [order.quantity for order in plan.orders] == pytest.approx([100.0])
    assert plan.kpis.cvar == pytest.approx(-600.0, abs=1e-6)
    assert plan.objective == pytest.approx(plan.kpis.expected_profit - 2.0 * plan.kpis.cvar)


def slow_only() -> fs.Scenario:
    """The fast-reorder season with its slow supplier alone: the first batch carries the risk."""
    scenario = fs.load(CASES / "fast_reorder.yaml")
    return scenario.model_copy(update={"suppliers": scenario.suppliers[:1]})


@pytest.mark.parametrize("case", ["newsvendor3", "slow-only"])
def test_risk_weight_improves_cvar_and_does_not_raise_expected_profit(
    backend: str, case: str
) -> None:
    scenario = slow_only() if case == "slow-only" else fs.load(CASES / f"{case}.yaml")
    neutral = fs.solve(with_risk(scenario, 0.0), backend)
    averse = fs.solve(with_risk(scenario, 2.0), backend)

    assert neutral.kpis.cvar is not None
    assert averse.kpis.cvar is not None
    assert averse.kpis.cvar < neutral.kpis.cvar - 1.0
    assert averse.kpis.expected_profit <= neutral.kpis.expected_profit + 1e-6


def test_risk_neutral_plan_has_no_cvar_kpi() -> None:
    scenario = fs.load(CASES / "newsvendor3.yaml").model_copy(update={"risk": None})

    assert fs.solve(scenario).kpis.cvar is None


def test_fill_rate_target_binds_and_is_met(backend: str) -> None:
    scenario = fs.load(CASES / "service.yaml")
    free = fs.solve(scenario, backend)
    assert free.kpis.fill_rate == pytest.approx(100 / 180)

    served = fs.solve(scenario.model_copy(update={"service": Service(min_fill_rate=0.8)}), backend)

    assert served.kpis.fill_rate == pytest.approx(0.8, abs=1e-6)
    assert served.kpis.expected_profit < free.kpis.expected_profit - 1.0


def test_presale_on_time_target_binds_and_is_met(backend: str) -> None:
    scenario = fs.load(CASES / "service.yaml")
    free = fs.solve(scenario, backend)
    assert free.kpis.presale_on_time_share == pytest.approx(0.0)

    served = fs.solve(
        scenario.model_copy(update={"service": Service(min_presale_on_time=0.6)}), backend
    )

    assert served.kpis.presale_on_time_share == pytest.approx(0.6, abs=1e-6)
    quick = sum(order.quantity for order in served.orders if order.supplier == "QUICK")
    assert quick == pytest.approx(30.0)


def test_unreachable_service_target_has_no_plan_and_says_so() -> None:
    scenario = fs.load(CASES / "service.yaml").model_copy(
        update={"suppliers": fs.load(CASES / "service.yaml").suppliers[1:]}
    )

    with pytest.raises(fs.SolveError) as error:
        fs.solve(scenario.model_copy(update={"service": Service(min_presale_on_time=0.5)}))

    assert "not the service targets (presale on time at least 50%)" in str(error.value)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("risk: {cvar_weight: -1}", "risk.cvar_weight"),
        ("risk: {cvar_weight: 1, cvar_alpha: 1}", "risk.cvar_alpha"),
        ("service: {min_fill_rate: 1.2}", "service.min_fill_rate"),
        ("service: {min_presale_on_time: -0.1}", "service.min_presale_on_time"),
    ],
)
def test_bad_risk_or_service_value_is_located(block: str, message: str) -> None:
    text = (
        (CASES / "newsvendor3.yaml")
        .read_text()
        .replace("risk: {cvar_weight: 0, cvar_alpha: 0.7}", block)
    )

    with pytest.raises(fs.ScenarioError) as error:
        fs.loads(text, "toy.yaml")

    assert f"toy.yaml:{text.splitlines().index(block) + 1}:" in str(error.value)
    assert message in str(error.value)
