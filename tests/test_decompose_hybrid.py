"""The hybrid split of the decomposition's work on seasons of many styles (``hybrid.py``)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import small_seasons
from test_decompose import generated_season, monolithic_optimum, season

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.heuristics import FEASIBILITY_TOLERANCE
from flexsupply.heuristics.lp_dive import dive
from flexsupply.heuristics.mean_value import neighbourhoods
from flexsupply.model import build_program
from flexsupply.solve.decompose import DecomposeSettings, decompose, hybrid, sweeps
from flexsupply.solve.decompose.primal import PlanLimits
from flexsupply.solve.methods import decompose_settings
from flexsupply.solve.settings import SolveSettings


def styles_program(styles: int) -> Any:
    """A generated season of ``styles`` styles, 2 factories, 6 weeks (``benchmarks/season.py``)."""
    generated_season()  # puts benchmarks/ on the path
    from season import generate

    scenario = generate(products=styles, suppliers=2, periods=6, scenarios=1, seed=0)
    return build_program(scenario, demand_scenarios(scenario))[0]


@pytest.mark.parametrize(
    ("styles", "split"),
    [(hybrid.HYBRID_MIN_STYLES - 1, False), (hybrid.HYBRID_MIN_STYLES, True)],
)
def test_seasons_of_many_styles_get_the_hybrid_split(styles: int, split: bool) -> None:
    program = styles_program(styles)
    plain = DecomposeSettings()
    chosen = decompose_settings(SolveSettings(), program)

    assert hybrid.n_styles(program) == styles
    assert hybrid.many_styles(program) is split
    assert hybrid.warm_start_share(program) == (hybrid.HYBRID_WARM_SHARE if split else None)
    if split:
        assert chosen.max_iterations == hybrid.HYBRID_ROUNDS < plain.max_iterations
        assert chosen.plan.repairs == 0 < plain.plan.repairs
        assert chosen.plan.style_sweeps == hybrid.HYBRID_SWEEPS > plain.plan.style_sweeps
        assert chosen.plan.style_width == hybrid.SWEEP_WIDTH
        assert chosen.plan.style_tight is hybrid.SWEEP_TIGHT
        assert chosen.plan.rins_rounds == hybrid.HYBRID_RINS_ROUNDS > plain.plan.rins_rounds
        assert chosen.plan.rins_nodes == hybrid.HYBRID_RINS_NODES
        assert chosen.bound_share == hybrid.HYBRID_BOUND_SHARE
        assert not chosen.plan.whole
    else:  # a small program: the engine's tail
        assert program.n_rows <= plain.plan.mip_rows
        assert chosen == hybrid.engine_tail(plain)
        assert chosen.max_iterations == hybrid.TAIL_ROUNDS
        assert chosen.plan.whole
        assert chosen.plan.whole_engine == hybrid.TAIL_ENGINE


def test_a_program_of_few_styles_above_the_mip_rows_keeps_its_settings() -> None:
    program = styles_program(hybrid.HYBRID_MIN_STYLES - 1)
    large = DecomposeSettings(plan=PlanLimits(mip_rows=program.n_rows - 1))

    assert hybrid.settings_for(program, large) == large


def test_the_users_rounds_and_nodes_override_the_hybrid_split() -> None:
    program = styles_program(hybrid.HYBRID_MIN_STYLES)
    chosen = decompose_settings(SolveSettings(iterations=5, node_limit=9), program)

    assert chosen.max_iterations == 5
    assert chosen.plan.style_nodes == chosen.subproblem_nodes == 9
    assert chosen.plan.repairs == 0


def test_the_hybrid_never_asks_for_more_rounds_than_the_settings() -> None:
    assert hybrid.hybrid(DecomposeSettings(max_iterations=1)).max_iterations == 1


@pytest.mark.parametrize("workers", [None, 1, 2])
def test_the_hybrid_sweeps_on_the_settings_workers(workers: int | None) -> None:
    assert hybrid.hybrid(DecomposeSettings(workers=workers)).plan.style_processes == workers


@pytest.mark.parametrize(
    ("backend", "many", "width"),
    [
        *((backend, many, 1) for backend in ("ortools", "pulp") for many in (True, False)),
        # The sweeps' sub-MIPs run on highspy whatever the backend: one backend is enough.
        ("ortools", True, sweeps.WIDTH),
    ],
)
def test_hybrid_plan_is_feasible_never_worse_than_its_start_and_bound_above_the_optimum(
    backend: str, many: bool, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``many`` the season (8 styles) counts as one of many styles, else as small; the
    sweeps by style re-plan ``width`` groups at a time (tightest weeks first when two)."""
    if many:
        monkeypatch.setattr(hybrid, "HYBRID_MIN_STYLES", 2)
    monkeypatch.setattr(hybrid, "SWEEP_WIDTH", width)
    monkeypatch.setattr(hybrid, "SWEEP_TIGHT", width > 1)
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    optimum = monolithic_optimum(program)

    plan = fs.solve(scenario, backend, method="decompose", time_limit=3600, workers=width)

    assert plan.extra["iterations"] <= (hybrid.HYBRID_ROUNDS if many else hybrid.TAIL_ROUNDS)
    assert plan.bound <= plan.extra["lagrangian_bound"] + 1e-6 * abs(optimum)
    assert plan.objective >= plan.extra["warm_start_objective"] - 1e-6
    assert plan.objective <= optimum + 1e-6 * abs(optimum)
    assert plan.bound >= optimum - 1e-6 * abs(optimum)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=small_seasons())
@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_hybrid_on_small_seasons_bounds_the_optimum_from_above(
    backend: str, data: dict[str, Any]
) -> None:
    program, model = season(data)
    optimum = monolithic_optimum(program)
    start = dive(program, math.inf)
    result = decompose(
        program,
        get_backend(backend),
        SolverOptions(gap=1e-9),
        600.0,  # a safety net: the hybrid's work limits end the run
        neighbourhoods(model, program.n_columns),
        start=start,
        settings=hybrid.hybrid(DecomposeSettings(executor="serial")),
    )

    assert result.status.has_plan
    assert program.violation(result.x) <= FEASIBILITY_TOLERANCE
    if start is not None:
        assert result.objective >= program.value(start) - 1e-6 * max(1.0, abs(optimum))
    assert result.objective <= optimum + 1e-6 * max(1.0, abs(optimum))
    assert result.bound >= optimum - 1e-6 * max(1.0, abs(optimum))
