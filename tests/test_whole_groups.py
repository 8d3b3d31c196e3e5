"""Whole pieces by groups of styles: feasible whole orders, near the whole-season rounding."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import small_scenarios_with_limits, small_seasons

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend, interrupt
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import whole_groups
from flexsupply.heuristics.whole_groups import whole_orders_by_group
from flexsupply.heuristics.whole_pieces import (
    INTERRUPTED,
    TIME_LIMIT,
    WHOLE_TOLERANCE,
    whole_orders,
)
from flexsupply.model import build_program
from flexsupply.plan.summary import plan_summary
from flexsupply.scenario.starter import template_text
from flexsupply.solve import engine

FEASIBLE = 1e-6
"""Largest row or bound violation of a rounded plan (relative, as ``violation`` measures)."""
NEAR = 0.01
"""The rounding by groups is worth at most this share less than the whole-season one
(``whole_orders``) on the seasons below. Both are heuristics: on tiny random seasons (a few
units) either can be the better by a unit's margin, so those are checked against the exact
whole-piece optimum instead."""


def fractional_plan(data: dict[str, Any], backend: str) -> tuple[Any, Any, Any]:
    """Returns the season's program, its model and ``backend``'s optimum (continuous orders)."""
    scenario = fs.Scenario.model_validate(data)
    program, model = build_program(scenario, demand_scenarios(scenario))
    result = get_backend(backend).solve(program, SolverOptions(gap=1e-9))
    assert result.status == "optimal"
    return program, model, result.x


def spoiling(cash: bool) -> dict[str, Any]:
    """Returns the two-style season with a warehouse limit whose factories spoil 3 % and 7 %:
    its optimum orders fractional quantities."""
    data = small_scenarios_with_limits(cash=cash, warehouse=True)
    for supplier, rate in zip(data["suppliers"], (0.03, 0.07), strict=True):
        supplier["defect_rate"] = rate
    return data


def whole_piece_model(program: Any, model: Any) -> Any:
    """Returns ``program`` with every order column integer: the model ``whole_pieces`` asks for."""
    orders = model.orders.order[model.orders.order >= 0]
    integer = program.integer.copy()
    integer[orders] = True
    return replace(program, integer=integer)


def assert_whole_and_feasible(program: Any, model: Any, x: Any) -> None:
    orders = model.orders.order[model.orders.order >= 0]
    assert np.all(x[orders] == np.round(x[orders]))
    assert whole_piece_model(program, model).violation(x) <= FEASIBLE


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=small_seasons())
def test_rounded_plan_is_feasible_whole_and_below_the_whole_piece_optimum(
    backend: str, data: dict[str, Any]
) -> None:
    program, model, x = fractional_plan(data, backend)
    exact = get_backend(backend).solve(whole_piece_model(program, model), SolverOptions(gap=1e-9))
    assert exact.status == "optimal"

    grouped = whole_orders_by_group(program, model.orders.order, x, group_columns=1)

    assert grouped.objective == pytest.approx(program.value(grouped.x), rel=1e-12, abs=1e-9)
    assert program.violation(grouped.x) <= FEASIBLE
    if grouped.fractional:
        assert grouped.stop == "infeasible"
        return
    assert_whole_and_feasible(program, model, grouped.x)
    assert grouped.objective <= exact.objective + 1e-6 * max(abs(exact.objective), 1.0)


@pytest.mark.parametrize("cash", [False, True])
def test_each_style_rounded_alone_keeps_the_shared_factory_warehouse_and_cash(
    backend: str, cash: bool
) -> None:
    program, model, x = fractional_plan(spoiling(cash), backend)
    orders = model.orders.order[model.orders.order >= 0]
    assert np.any(np.abs(x[orders] - np.round(x[orders])) > WHOLE_TOLERANCE)

    grouped = whole_orders_by_group(program, model.orders.order, x, group_columns=1)

    assert grouped.changed
    assert (grouped.fractional, grouped.stop) == (0, "")
    assert grouped.rounded_styles == len(np.unique(program.styles()[orders]))
    assert_whole_and_feasible(program, model, grouped.x)
    # The other backend's LP over everything but the orders and switches is an upper limit.
    fixed = np.unique(np.concatenate([orders, np.flatnonzero(program.integer)]))
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    lower[fixed] = upper[fixed] = grouped.x[fixed]
    other = "pulp" if backend == "ortools" else "ortools"
    settled = get_backend(other).solve(
        replace(program, col_lower=lower, col_upper=upper), SolverOptions()
    )
    assert settled.status == "optimal"
    assert grouped.objective <= settled.objective + 1e-6 * abs(settled.objective)
    assert grouped.objective >= settled.objective - NEAR * abs(settled.objective)
    season = whole_orders(program, model.orders.order, x)
    assert season is not None
    assert grouped.objective >= season.objective - NEAR * abs(season.objective)


def test_a_deadline_already_past_rounds_nothing_and_says_so(backend: str) -> None:
    program, model, x = fractional_plan(spoiling(cash=True), backend)

    grouped = whole_orders_by_group(program, model.orders.order, x, time.perf_counter())

    orders = np.unique(model.orders.order[model.orders.order >= 0])
    left = int(np.sum(np.abs(x[orders] - np.round(x[orders])) > WHOLE_TOLERANCE))
    assert (grouped.stop, grouped.fractional, grouped.rounded_styles) == (TIME_LIMIT, left, 0)
    assert grouped.fractional_styles == len(np.unique(program.styles()[orders]))
    assert program.violation(grouped.x) <= FEASIBLE
    assert grouped.objective == pytest.approx(program.value(x), rel=1e-9)


@pytest.mark.parametrize("template", ["spring-drop", "double11"])
def test_solve_rounds_by_groups_above_the_whole_season_size(
    template: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = fs.loads(template_text(template), source=f"{template}.yaml")
    season = fs.solve(scenario, backend, time_limit=30)
    monkeypatch.setattr(whole_groups, "WHOLE_SEASON_COLUMNS", 0)
    monkeypatch.setattr(engine, "WHOLE_SEASON_COLUMNS", 0)

    grouped = fs.solve(scenario, backend, time_limit=30)

    assert grouped.orders
    assert all(float(order.quantity).is_integer() for order in grouped.orders)
    assert "fractional" not in grouped.solver_message
    assert grouped.bound >= grouped.objective - 1e-6
    if grouped.extra["fractional_objective"] == pytest.approx(
        season.extra["fractional_objective"], rel=1e-9
    ):
        assert grouped.objective >= season.objective - NEAR * abs(season.objective)


def test_a_plan_whose_rounding_ran_out_of_time_says_so_in_plan_json(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounding = whole_groups.whole_orders_by_group

    def out_of_time(program: Any, order_columns: Any, x: Any, deadline: float) -> Any:
        return rounding(program, order_columns, x, time.perf_counter())

    monkeypatch.setattr(engine, "WHOLE_SEASON_COLUMNS", 0)
    monkeypatch.setattr(whole_groups, "WHOLE_SEASON_COLUMNS", 0)
    monkeypatch.setattr(whole_groups, "whole_orders_by_group", out_of_time)
    scenario = fs.loads(template_text("double11"), source="double11.yaml")

    plan = fs.solve(scenario, backend, time_limit=30)

    message = plan.to_dict()["solver"]["message"]
    assert "the time limit ended the rounding to whole pieces" in message
    assert f"{plan.extra['fractional_orders']:,} orders" in message
    assert "the bound stays valid" in message
    assert plan.extra["fractional_objective"] == pytest.approx(plan.objective, rel=1e-9)
    assert plan.bound >= plan.objective - 1e-6
    assert any(not float(order.quantity).is_integer() for order in plan.orders)
    assert f"{plan.extra['fractional_orders']:,} orders are still fractional" in plan_summary(plan)


def test_the_whole_season_rounding_stops_at_its_deadline_with_a_feasible_plan(
    backend: str,
) -> None:
    program, model, x = fractional_plan(spoiling(cash=True), backend)

    stopped = whole_orders(program, model.orders.order, x, time.perf_counter())

    assert stopped is not None
    orders = np.unique(model.orders.order[model.orders.order >= 0])
    left = int(np.sum(np.abs(x[orders] - np.round(x[orders])) > WHOLE_TOLERANCE))
    assert (stopped.stop, stopped.fractional) == (TIME_LIMIT, left)
    assert program.violation(stopped.x) <= FEASIBLE
    assert stopped.objective == pytest.approx(program.value(stopped.x), rel=1e-12)


@pytest.mark.parametrize("by_group", [False, True])
def test_after_ctrl_c_the_rounding_stops_with_a_feasible_plan_that_says_so(
    by_group: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    program, model, x = fractional_plan(spoiling(cash=True), "ortools")
    monkeypatch.setattr(interrupt, "requested", lambda: True)

    rounding = whole_orders_by_group if by_group else whole_orders
    stopped = rounding(program, model.orders.order, x)

    assert stopped is not None
    assert stopped.stop == INTERRUPTED
    assert stopped.fractional > 0
    assert program.violation(stopped.x) <= FEASIBLE
