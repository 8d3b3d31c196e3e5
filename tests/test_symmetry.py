"""Interchangeable suppliers and styles are found, and ordering them never changes the optimum."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from strategies import small_scenarios

import flexsupply as fs
import flexsupply.model.build as model_build
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.data import model_data
from flexsupply.model.symmetry import find_symmetry
from flexsupply.scenario.overrides import apply_overrides

EXACT = SolverOptions(gap=1e-9)

COLOURS = """
horizon: {periods: 4}
products:
  - {id: TEE-RED, price: 60, salvage_value: 5}
  - {id: TEE-BLUE, price: 60, salvage_value: 5}
  - {id: TEE-GREEN, price: 60, salvage_value: 5}
suppliers:
  - id: QR-A
    capacity: 400
    onboarding_cost: 500
    terms: [{products: [TEE-RED, TEE-BLUE, TEE-GREEN], unit_cost: 20, moq: 50, setup_cost: 100}]
  - id: QR-B
    capacity: 400
    onboarding_cost: 500
    terms: [{products: [TEE-RED, TEE-BLUE, TEE-GREEN], unit_cost: 20, moq: 50, setup_cost: 100}]
  - id: SLOW
    capacity: 900
    terms: [{products: [TEE-RED, TEE-BLUE, TEE-GREEN], unit_cost: 15, moq: 200,
             lead_time_periods: 1}]
demand:
  units:
    TEE-RED: [90, 120, 150, 100]
    TEE-BLUE: [90, 120, 150, 100]
    TEE-GREEN: [40, 60, 80, 50]
"""


@pytest.fixture(autouse=True)
def order_interchangeable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are off by default (measured slower with SCIP); these tests check them."""
    monkeypatch.setattr(model_build, "ORDER_INTERCHANGEABLE", True)


def optimum(scenario: fs.Scenario, backend: str, strengthen: bool) -> float:
    program, _ = build_program(scenario, demand_scenarios(scenario), strengthen=strengthen)
    result = get_backend(backend).solve(program, EXACT)
    assert result.status == "optimal"
    return result.objective


def test_identical_suppliers_and_colour_variants_are_grouped() -> None:
    scenario = fs.loads(COLOURS)

    groups = find_symmetry(model_data(scenario), demand_scenarios(scenario).units)

    assert groups.suppliers == [[0, 1]]
    assert groups.products == [[0, 1]]


@pytest.mark.parametrize(
    "change",
    [
        "suppliers.QR-B.capacity=399",
        "suppliers.QR-B.defect_rate=0.01",
        "suppliers.QR-B.onboarding_cost=0",
        "products.TEE-BLUE.holding_cost=0.1",
        "products.TEE-BLUE.initial_stock=5",
    ],
)
def test_one_difference_breaks_a_group(change: str) -> None:
    scenario = fs.Scenario.model_validate(apply_overrides(yaml.safe_load(COLOURS), [change]))

    groups = find_symmetry(model_data(scenario), demand_scenarios(scenario).units)

    assert len(groups.suppliers) + len(groups.products) == 1


@pytest.mark.parametrize(
    ("ordered", "how"),
    [(True, "ordered by first-batch units"), (False, "left to the engine's own symmetry handling")],
)
def test_the_solver_log_names_the_groups(
    ordered: bool, how: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_build, "ORDER_INTERCHANGEABLE", ordered)

    fs.solve(fs.loads(COLOURS), log=True)

    log = capsys.readouterr().out
    assert f"formulation: interchangeable suppliers QR-A, QR-B: {how}" in log
    assert f"formulation: interchangeable styles TEE-RED, TEE-BLUE: {how}" in log
    assert "order-cover inequalities" in log


FUTURES = """
demand:
  scenarios:
    - {name: flop, probability: 0.4, units: {TEE-RED: [60, 60, 30, 20], TEE-BLUE: [60, 60, 30, 20],
                                               TEE-GREEN: [30, 30, 20, 10]}}
    - {name: hit, probability: 0.6, units: {TEE-RED: [90, 140, 200, 180],
                                             TEE-BLUE: [90, 140, 200, 180],
                                             TEE-GREEN: [40, 70, 90, 60]}}
reveal_period: 3
cash: {initial: 9000, enforce_non_negative: true, sales_receipt_lag_periods: 1}
risk: {cvar_weight: 0.5, cvar_alpha: 0.8}
"""


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
@pytest.mark.parametrize("season", ["one-future", "two-futures-cash-risk"])
def test_ordering_the_groups_keeps_the_optimum(backend: str, season: str) -> None:
    text = COLOURS
    if season != "one-future":
        text = COLOURS.split("demand:")[0] + FUTURES
        text = text.replace(
            "onboarding_cost: 500",
            "onboarding_cost: 500\n    payment: {upfront_share: 0.3, balance_lag_periods: 1}",
        )
    scenario = fs.loads(text)
    program, _ = build_program(scenario, demand_scenarios(scenario))
    assert {"symmetric_suppliers", "symmetric_products", "symmetric_onboarding"} <= set(
        program.row_blocks
    )

    assert optimum(scenario, backend, True) == pytest.approx(optimum(scenario, backend, False))


def _with_twins(data: dict[str, Any]) -> dict[str, Any]:
    """Returns ``data`` with a copy of its first supplier and of its first product."""
    twin = copy.deepcopy(data)
    supplier = copy.deepcopy(twin["suppliers"][0])
    supplier["id"] = "TWIN-FACTORY"
    twin["suppliers"].append(supplier)
    product = copy.deepcopy(twin["products"][0])
    original = product["id"]
    product["id"] = "TWIN-STYLE"
    twin["products"].append(product)
    for entry in twin["suppliers"]:
        entry["terms"] += [
            {**term, "product": "TWIN-STYLE"}
            for term in entry["terms"]
            if term["product"] == original
        ]
    twin["presale"] += [
        {**order, "product": "TWIN-STYLE"}
        for order in twin["presale"]
        if order["product"] == original
    ]
    for future in twin["demand"]["scenarios"]:
        future["units"]["TWIN-STYLE"] = list(future["units"][original])
    return twin


@settings(max_examples=15, deadline=None)
@given(data=small_scenarios())
def test_twins_keep_the_optimum_on_both_backends(data: dict[str, Any]) -> None:
    scenario = fs.Scenario.model_validate(_with_twins(data))
    groups = find_symmetry(model_data(scenario), demand_scenarios(scenario).units)
    assert any({0, 2} <= set(group) for group in groups.suppliers)
    assert any({0, 2} <= set(group) for group in groups.products)

    plain = optimum(scenario, "ortools", strengthen=False)

    assert optimum(scenario, "ortools", strengthen=True) == pytest.approx(plain, rel=1e-7, abs=1e-6)
    assert optimum(scenario, "pulp", strengthen=True) == pytest.approx(plain, rel=1e-6, abs=1e-4)
