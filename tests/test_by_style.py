"""A sample's recourse solved style by style: the whole MILP's optimum, proven, or a fallback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

import flexsupply as fs
from flexsupply.backends import get_backend
from flexsupply.demand import DemandScenarios
from flexsupply.model import build_program
from flexsupply.model.build import FirstStage
from flexsupply.solve.by_style import (
    AUTO_MIN_INTEGERS,
    BLOCK_OPTIONS,
    METHOD,
    _polish,
    _solve_block,
    by_style_first,
    solve_by_style,
)
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.decompose.linking import partition
from flexsupply.solve.decompose.subproblems import blocks_of
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.simulate import (
    SimulationReport,
    first_stage_from_orders,
    sample_demand,
    simulate,
)
from flexsupply.solve.stochastic import outcome_of, risk_neutral, solve_program

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def _season(name: str, backend: str) -> tuple[fs.Scenario, FirstStage, DemandScenarios]:
    scenario = risk_neutral(fs.load(SCENARIOS / f"{name}.yaml"), keep_service=False)
    plan = fs.solve(scenario, backend)
    samples, _ = sample_demand(scenario, 4, seed=2)
    return scenario, first_stage_from_orders(scenario, plan.orders), samples


def _one(samples: DemandScenarios, w: int) -> DemandScenarios:
    return DemandScenarios(samples.units[w : w + 1], np.ones(1), [samples.names[w]])


@pytest.mark.parametrize(
    ("name", "proven"),
    # fabric-and-credit: one fabric shared by the styles, so the split's plan cannot be
    # proven and the whole MILP (through the backend) answers.
    [("group-buy", 3), ("dual-sourcing", 3), ("fabric-and-credit", 0)],
)
def test_recourse_by_style_has_the_whole_milps_profit(name: str, proven: int, backend: str) -> None:
    scenario, first, samples = _season(name, backend)
    split_settings = SolveSettings(backend, method="decompose")
    whole_settings = SolveSettings(backend, method="monolithic")
    methods = []
    for w in range(samples.n_scenarios):
        one = _one(samples, w)
        split, model = solve_program(scenario, one, split_settings, Deadline(None), first)
        whole, _ = solve_program(scenario, one, whole_settings, Deadline(None), first)
        fast, reference = outcome_of(scenario, model, split), outcome_of(scenario, model, whole)
        methods.append(split.method)
        assert whole.method == "monolithic"
        assert fast.profit == pytest.approx(reference.profit, rel=1e-6)
        assert split.bound >= whole.objective - 1e-6 * abs(whole.objective)
    assert methods.count(METHOD) >= proven
    assert all(m in (METHOD, "monolithic") for m in methods)


def test_split_left_unproven_falls_back_to_the_whole_milp_from_its_plan() -> None:
    # Fabric shared by the styles: the styles' own best plans do not fit together.
    scenario, first, samples = _season("fabric-and-credit", "ortools")
    one = _one(samples, 0)
    program, _ = build_program(scenario, one, fixed_first_stage=first)

    split = solve_by_style(program, 1e-6, Deadline(None))
    solved, _ = solve_program(
        scenario, one, SolveSettings(method="decompose"), Deadline(None), first
    )

    assert split.result is None
    assert solved.method == "monolithic"
    assert split.bound >= solved.objective - 1e-6 * abs(solved.objective)
    if split.start is not None:  # a repaired plan is feasible, and no better than the optimum
        assert program.violation(split.start) < 1e-6
        assert program.value(split.start) <= solved.objective + 1e-6 * abs(solved.objective)


@pytest.mark.parametrize(
    ("method", "integers", "expected"),
    [
        ("monolithic", AUTO_MIN_INTEGERS, False),
        ("decompose", 0, True),
        ("auto", AUTO_MIN_INTEGERS - 1, False),
        ("auto", AUTO_MIN_INTEGERS, True),
    ],
)
def test_method_chooses_whether_to_split(method: str, integers: int, expected: bool) -> None:
    scenario, _, samples = _season("group-buy", "ortools")
    program, _ = build_program(scenario, _one(samples, 0))
    assert program.n_columns >= AUTO_MIN_INTEGERS
    flags = np.arange(program.n_columns) < integers

    assert by_style_first(replace(program, integer=flags), method) is expected


def test_simulation_by_style_is_repeatable_and_independent_of_workers() -> None:
    scenario = fs.load(SCENARIOS / "group-buy.yaml")
    first = first_stage_from_orders(scenario, fs.solve(scenario).orders)
    settings = SolveSettings(method="decompose")

    def run(workers: int) -> SimulationReport:
        return simulate(
            scenario,
            first,
            samples=6,
            seed=4,
            settings=settings,
            workers=workers,
            baselines=False,
        )

    alone, again, pooled = run(1), run(1), run(2)

    assert alone.to_dict() == again.to_dict() == pooled.to_dict()
    assert repr(alone.policies[0].outcomes) == repr(pooled.policies[0].outcomes)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_style_subproblem_without_root_heuristics_has_scipys_optimum(seed: int) -> None:
    # Each style of one sample, priced by random multipliers-like costs: the tuned highspy
    # subproblem (BLOCK_OPTIONS) against scipy's milp with HiGHS defaults.
    scenario, first, samples = _season("group-buy", "ortools")
    program, _ = build_program(scenario, _one(samples, seed), fixed_first_stage=first)
    split = partition(program)
    rng = np.random.default_rng(seed)
    assert BLOCK_OPTIONS
    for block in blocks_of(split)[:-1]:
        sub = block.program
        priced = sub.objective * rng.uniform(0.8, 1.2, sub.n_columns)
        solved = _solve_block(priced, sub, 0.0, Deadline(None))
        reference = milp(
            -priced,
            constraints=LinearConstraint(sub.matrix, sub.row_lower, sub.row_upper),
            bounds=Bounds(sub.col_lower, sub.col_upper),
            integrality=sub.integer.astype(np.uint8),
        )
        assert solved is not None
        assert reference.status == 0
        x, bound = solved
        assert priced @ x == pytest.approx(-reference.fun, rel=1e-7, abs=1e-6)
        assert bound >= -reference.fun - 1e-6 * max(abs(reference.fun), 1.0)
        assert sub.violation(x) < 1e-6


def test_polish_keeps_what_it_must_and_frees_the_rest_to_the_optimum(backend: str) -> None:
    scenario, first, samples = _season("dual-sourcing", backend)
    program, _ = build_program(scenario, _one(samples, 2), fixed_first_stage=first)
    whole = get_backend(backend).solve(program, SolveSettings(backend).options(Deadline(None)))
    start = solve_by_style(program, 1e-6, Deadline(None)).start
    assert start is not None
    assert program.violation(start) < 1e-6

    held = _polish(program, start, np.zeros(program.n_columns, dtype=bool), 1e-9, Deadline(None))
    freed = _polish(program, start, program.integer.copy(), 1e-9, Deadline(None))

    assert held is not None
    assert freed is not None
    ints = program.integer
    assert np.array_equal(held[0][ints], np.round(start[ints]))
    assert held[1] >= program.value(start) - 1e-6 * abs(program.value(start))
    assert freed[1] == pytest.approx(whole.objective, rel=1e-6)
    assert program.violation(freed[0]) < 1e-6


def test_split_does_not_depend_on_the_order_of_the_samples() -> None:
    # The style subproblems share one HiGHS per process: no state may carry over.
    scenario, first, samples = _season("dual-sourcing", "ortools")

    def run(order: list[int]) -> dict[int, tuple[float, float | None]]:
        found = {}
        for w in order:
            program, _ = build_program(scenario, _one(samples, w), fixed_first_stage=first)
            split = solve_by_style(program, 1e-6, Deadline(None))
            found[w] = (split.bound, None if split.result is None else split.result.objective)
        return found

    forward = run(list(range(samples.n_scenarios)))
    assert forward == run(list(reversed(range(samples.n_scenarios))))
