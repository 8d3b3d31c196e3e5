"""In-season markdowns and clearance, solved by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.scenario.levers import Markdown
from flexsupply.solve.lever_stage import with_plan_levers
from flexsupply.solve.simulate import first_stage_from_orders

DATA = Path(__file__).parent / "data" / "levers"


def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DATA / "markdown.yaml").read_text())
    return loaded


def test_one_style_two_price_points_marks_down_where_stock_would_be_left(backend: str) -> None:
    plan = fs.solve(fs.load(DATA / "markdown.yaml"), solver=backend)

    assert plan.objective == pytest.approx(40 * 100 + 60 * 80)
    assert plan.levers is not None
    assert plan.levers.calendar(plan.probabilities, 2) == {"TEE": ["full", "−20 %"]}
    assert plan.kpis.costs["markdown"] == pytest.approx(60 * 20)


def test_after_the_reveal_each_scenario_chooses_its_own_price(backend: str) -> None:
    data = _data()
    data["reveal_period"] = 2
    data["levers"]["markdown"][0]["from_period"] = 2
    data["demand"] = {
        "scenarios": [
            {"name": "hit", "probability": 0.5, "units": {"TEE": [40, 80]}},
            {"name": "flop", "probability": 0.5, "units": {"TEE": [40, 20]}},
        ]
    }

    plan = fs.solve(fs.loads(data), solver=backend)

    # 40 at 100 in 1; in 2 the hit sells its 60 at 100, the flop 40 at 80 and salvages 20.
    assert plan.objective == pytest.approx(4000 + 0.5 * 6000 + 0.5 * (3200 + 200))
    assert plan.levers is not None
    assert plan.levers.markdown["TEE"] == [[0.0, 0.0], [0.0, 0.2]]
    assert plan.levers.calendar(plan.probabilities, 2)["TEE"] == ["full", "full (50 %)"]


@pytest.mark.parametrize(("discount", "elasticity"), [(0.2, 2.0), (0.4, 1.5), (0.5, 3.0)])
def test_elasticity_gives_the_demand_multiplier(discount: float, elasticity: float) -> None:
    markdown = Markdown(
        products=["TEE"], price_points=[{"discount": discount}], elasticity=elasticity
    )

    assert markdown.multipliers() == pytest.approx([(1 - discount) ** -elasticity])


@pytest.mark.parametrize(("price", "cleared"), [(30.0, 50.0), (5.0, 0.0)])
def test_clearance_sells_leftovers_above_salvage(
    backend: str, price: float, cleared: float
) -> None:
    data = _data()
    data["demand"]["units"]["TEE"] = [20, 20]
    data["levers"] = {"clearance": [{"product": "TEE", "price": price, "max_units": 50}]}

    plan = fs.solve(fs.loads(data), solver=backend)

    assert plan.levers is not None
    assert plan.levers.clearance[0]["units"] == pytest.approx(cleared)
    assert plan.objective == pytest.approx(40 * 100 + cleared * price + (60 - cleared) * 10)


def test_a_fixed_first_stage_keeps_the_price_chosen_before_the_reveal(backend: str) -> None:
    data = _data()
    data["reveal_period"] = 2
    data["demand"] = {
        "scenarios": [
            {"name": "hit", "probability": 0.5, "units": {"TEE": [40, 80]}},
            {"name": "flop", "probability": 0.5, "units": {"TEE": [40, 20]}},
        ]
    }
    scenario = fs.loads(data)
    plan = fs.solve(scenario, solver=backend)
    assert plan.levers is not None
    assert plan.levers.markdown["TEE"][0][0] == pytest.approx(0.2)
    first = with_plan_levers(first_stage_from_orders(scenario, plan.orders), scenario, plan.levers)
    data["demand"] = {"units": {"TEE": [80, 80]}}
    busy = fs.loads(data)

    fixed, _ = build_program(busy, demand_scenarios(busy), fixed_first_stage=first)
    free, _ = build_program(busy, demand_scenarios(busy))

    # Kept at −20 % in period 1: 20 at 80, 80 kept for period 2 at 100; free: 100 at 100.
    assert get_backend(backend).solve(fixed, SolverOptions()).objective == pytest.approx(9600)
    assert get_backend(backend).solve(free, SolverOptions()).objective == pytest.approx(10_000)
