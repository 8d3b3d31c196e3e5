"""Solve methods: a registry by name; a registered method gets the program, settings and deadline."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.backends import Backend, SolverResult, Status
from flexsupply.backends.result import no_plan
from flexsupply.demand import demand_scenarios
from flexsupply.model import ModelMap, build_program
from flexsupply.model.program import LinearProgram
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.methods import METHODS, MethodContext, get_method, keep_better, monolithic
from flexsupply.solve.settings import SolveSettings

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"


def test_auto_and_monolithic_are_registered() -> None:
    assert {"auto", "monolithic"} <= set(METHODS)
    assert get_method("monolithic") is monolithic


def test_a_registered_method_is_called_with_the_settings_and_the_one_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}

    def recording(
        program: LinearProgram,
        model: ModelMap,
        backend: Backend,
        settings: SolveSettings,
        deadline: Deadline,
        context: MethodContext,
    ) -> SolverResult:
        seen.update(settings=settings, limit=deadline.limit, scenario=context.scenario.name)
        return monolithic(program, model, backend, settings, deadline, context)

    monkeypatch.setitem(METHODS, "recording", recording)

    plan = fs.solve(fs.load(SMALL), method="recording", time_limit=20, warm_start=False)

    assert plan.status == "optimal"
    assert seen["limit"] == 20
    assert seen["scenario"] == "small"
    settings = seen["settings"]
    assert isinstance(settings, SolveSettings)
    assert settings.method == "recording"
    assert settings.warm_start is False


def test_the_earlier_plan_is_kept_when_the_engine_ends_without_one() -> None:
    scenario = fs.load(SMALL)
    program, _ = build_program(scenario, demand_scenarios(scenario))
    x = np.zeros(program.n_columns)
    objective = program.value(x)
    engine_result = no_plan(Status.NO_SOLUTION, 2.0, "clocked", "any", "time limit")

    kept = keep_better(program, engine_result, x, objective, 3.0)

    assert kept.status == Status.FEASIBLE
    assert kept.objective == objective
    assert kept.seconds == pytest.approx(5.0)
    assert math.isnan(kept.bound)
    assert kept.extra["warm_start_objective"] == objective


def test_a_plan_above_the_gap_asked_for_does_not_say_it_reached_the_gap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def loose(
        program: LinearProgram,
        model: ModelMap,
        backend: Backend,
        settings: SolveSettings,
        deadline: Deadline,
        context: MethodContext,
    ) -> SolverResult:
        """Ends 20 % from its bound (no progress reported) and leaves ``stop`` at its default."""
        found = backend.solve(program, settings.options(deadline))
        loose_bound = found.objective + 0.2 * abs(found.objective)
        return dataclasses.replace(found, status=Status.FEASIBLE, bound=loose_bound, stop="gap")

    monkeypatch.setitem(METHODS, "loose", loose)

    plan = fs.solve(fs.load(SMALL), method="loose", time_limit=20, warm_start=False)

    assert plan.status == "feasible"
    assert plan.stop == "time_limit"
