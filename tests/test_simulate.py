"""Out-of-sample simulation: reproduces the in-sample objective, is repeatable, reads plan.json."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import critical_fractile_quantity, newsvendor_scenario
from scipy import stats

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.cli.simulate import SAMPLE_GAP
from flexsupply.demand import DemandScenarios, demand_scenarios
from flexsupply.errors import FlexsupplyError
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.newsvendor import newsvendor_first_stage
from flexsupply.solve.profiles import find_profile
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.simulate import (
    distinct_samples,
    distribution,
    first_stage_from_orders,
    read_plan_first_stage,
    sample_demand,
    simulate,
)

simulate_module = importlib.import_module("flexsupply.solve.simulate")
stochastic = importlib.import_module("flexsupply.solve.stochastic")
DATA = Path(__file__).parent / "data"
CASES = DATA / "stochastic"
IN_SAMPLE = [CASES / "fast_reorder.yaml", CASES / "service.yaml", DATA / "scenario/stochastic.yaml"]


@pytest.mark.parametrize("path", IN_SAMPLE, ids=lambda p: p.stem)
def test_simulate_on_the_planning_scenarios_reproduces_the_expected_profit(
    backend: str, path: Path
) -> None:
    scenario = fs.load(path)
    plan = fs.solve(scenario, backend)

    report = simulate(
        scenario,
        first_stage_from_orders(scenario, plan.orders),
        demand=demand_scenarios(scenario),
        settings=SolveSettings(backend),
        workers=1,
    )

    result = report.policy("plan")
    assert result.infeasible == 0
    assert result.stats("profit").mean == pytest.approx(plan.kpis.expected_profit, rel=1e-6)
    by_scenario = dict(zip(plan.scenarios, result.profits, strict=True))
    assert by_scenario == pytest.approx(plan.kpis.profit_by_scenario, rel=1e-6)


def test_stochastic_plan_beats_its_baselines_on_the_planning_scenarios() -> None:
    scenario = fs.load(CASES / "fast_reorder.yaml")

    report = simulate(scenario, demand=demand_scenarios(scenario), workers=1)

    plan = report.policy("plan").stats("profit").mean
    assert plan == pytest.approx(12112.0)
    assert report.policy("mean-demand plan").stats("profit").mean == pytest.approx(11770.0)
    assert plan >= report.policy("newsvendor").stats("profit").mean


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    scenario = fs.load(CASES / "fast_reorder.yaml")

    alone = simulate(scenario, samples=12, seed=5, workers=1)
    pooled = simulate(scenario, samples=12, seed=5, workers=2)

    assert alone.to_dict() == pooled.to_dict()
    for a, b in zip(alone.policies, pooled.policies, strict=True):
        assert repr(a.outcomes) == repr(b.outcomes)


def test_samples_are_repeatable_by_seed_and_follow_the_probabilities() -> None:
    scenario = fs.load(CASES / "fast_reorder.yaml")

    first, source = sample_demand(scenario, 4000, seed=11)
    again, _ = sample_demand(scenario, 4000, seed=11)
    other, _ = sample_demand(scenario, 4000, seed=12)

    assert source == "resampled scenarios"
    assert np.array_equal(first.units, again.units)
    assert not np.array_equal(first.units, other.units)
    hit_share = float(np.mean(first.units[:, 0, 2] == 250))
    assert hit_share == pytest.approx(0.2, abs=0.02)
    assert first.probabilities.sum() == pytest.approx(1.0)


def test_signal_scenarios_are_sampled_from_the_signal_model() -> None:
    scenario = fs.load(Path(__file__).parents[1] / "scenarios" / "signals-demo.yaml")

    samples, source = sample_demand(scenario, 5, seed=1)

    assert source == "signal model"
    assert samples.units.shape == (5, len(scenario.products), scenario.horizon.periods)


def test_plan_json_first_stage_is_the_plans_shared_orders(tmp_path: Path) -> None:
    scenario = fs.load(CASES / "fast_reorder.yaml")
    plan = fs.solve(scenario)
    plan.to_json(tmp_path / "plan.json")

    from_file = read_plan_first_stage(scenario, tmp_path / "plan.json")
    from_orders = first_stage_from_orders(scenario, plan.orders)

    assert np.array_equal(from_file.quantity, from_orders.quantity)
    assert from_file.quantity.sum() == pytest.approx(80.0)  # 40 + 40 from SLOW, before week 3


def test_plan_made_for_another_scenario_is_refused(tmp_path: Path) -> None:
    plan = fs.solve(fs.load(CASES / "service.yaml"))

    with pytest.raises(FlexsupplyError, match="another scenario"):
        first_stage_from_orders(fs.load(CASES / "fast_reorder.yaml"), plan.orders)


def test_newsvendor_baseline_orders_the_critical_fractile() -> None:
    demands = [float(d) for d in (30, 80, 120, 55, 210, 160, 95, 20, 140, 175)]
    scenario = newsvendor_scenario(demands, price=10.0, cost=4.0, salvage=1.0)

    first = newsvendor_first_stage(scenario, demand_scenarios(scenario))

    assert first.quantity.sum() == pytest.approx(critical_fractile_quantity(demands, 10, 4, 1))


def test_distribution_is_probability_weighted() -> None:
    values = np.array([10.0, 20.0, 30.0])

    summary = distribution(values, np.array([0.1, 0.1, 0.8]))

    assert summary.mean == pytest.approx(27.0)
    assert (summary.p5, summary.p50, summary.p95) == (10.0, 30.0, 30.0)


def test_cli_simulate_with_plan_file_prints_table_and_writes_json(tmp_path: Path) -> None:
    scenario_file = str(CASES / "fast_reorder.yaml")
    runner = CliRunner()
    solved = runner.invoke(main, ["solve", scenario_file, "--out-dir", str(tmp_path)])
    assert solved.exit_code == 0, solved.output

    result = runner.invoke(
        main,
        [
            "simulate",
            scenario_file,
            "--plan",
            str(tmp_path / "plan.json"),
            "--samples",
            "8",
            "--seed",
            "3",
            "--workers",
            "1",
            "--engine",
            "highs",
            "--out",
            str(tmp_path / "simulation.json"),
        ],
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "fast-reorder: 8 samples (resampled scenarios, seed 3)"
    assert lines[1].split() == ["plan", "mean-demand", "plan", "newsvendor"]
    assert any(line.startswith("profit P95") for line in lines)
    written = json.loads((tmp_path / "simulation.json").read_text())
    assert [p["name"] for p in written["policies"]] == ["plan", "mean-demand plan", "newsvendor"]
    assert written["samples"] == 8


def test_cli_simulate_with_unreadable_plan_exits_1(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{not json")

    result = CliRunner().invoke(
        main,
        ["simulate", str(CASES / "fast_reorder.yaml"), "--plan", str(tmp_path / "plan.json")],
    )

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'plan.json'}:1:2  not valid JSON")
    assert "Traceback" not in result.output


def test_cli_simulate_with_json_that_is_not_a_plan_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "notplan.json").write_text('{"a": 1}')

    result = CliRunner().invoke(
        main,
        ["simulate", str(CASES / "fast_reorder.yaml"), "--plan", str(tmp_path / "notplan.json")],
    )

    assert result.exit_code == 1
    assert "notplan.json  not a flexsupply plan (no 'status' or 'orders')" in result.output
    assert "Traceback" not in result.output


def test_cli_simulate_passes_solver_flags_profile_and_set_through(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `flexsupply.solve` is also the name of `fs.solve`: reach the module through importlib.
    simulate_module = importlib.import_module("flexsupply.solve.simulate")

    seen: dict[str, Any] = {}
    real = simulate_module.simulate

    def recording(scenario: fs.Scenario, first_stage: Any, **kwargs: Any) -> Any:
        seen.update(kwargs, scenario=scenario)
        return real(scenario, first_stage, **{**kwargs, "samples": 2, "workers": 1})

    monkeypatch.setattr(simulate_module, "simulate", recording)
    args = ["simulate", str(CASES / "fast_reorder.yaml"), "--solver", "pulp-cbc"]
    args += ["--time-limit", "40", "--threads", "2", "--gap", "0.01", "--seed", "9"]
    args += ["--set", "products.DRESS.price=99", "--samples", "5", "--workers", "1"]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 0, result.output
    settings = seen["settings"]
    profile = find_profile("pulp-cbc")
    assert (settings.backend, settings.engine) == (profile.backend, profile.engine)
    assert (settings.time_limit, settings.threads, settings.gap) == (40, 2, 0.01)
    assert (settings.seed, seen["seed"], seen["samples"]) == (9, 9, 5)
    assert seen["scenario"].products[0].price == 99


@pytest.mark.parametrize(("flags", "gap"), [([], SAMPLE_GAP), (["--gap", "0.002"], 0.002)])
def test_cli_simulate_solves_samples_to_one_percent_unless_told(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], gap: float
) -> None:
    simulate_module = importlib.import_module("flexsupply.solve.simulate")
    seen: dict[str, Any] = {}
    real = simulate_module.simulate

    def recording(scenario: fs.Scenario, first_stage: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real(scenario, first_stage, **{**kwargs, "samples": 1, "workers": 1})

    monkeypatch.setattr(simulate_module, "simulate", recording)
    args = ["simulate", str(CASES / "fast_reorder.yaml"), "--no-baselines", *flags]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 0, result.output
    assert seen["settings"].gap == gap


def test_report_gives_the_t_interval_of_each_mean_in_json_and_summary() -> None:
    scenario = fs.load(CASES / "fast_reorder.yaml")

    report = simulate(scenario, samples=12, seed=5, workers=1, baselines=False)

    policy = report.policy("plan")
    written = report.to_dict()["policies"][0]["intervals"]
    for field in ("profit", "fill_rate", "leftover_units"):
        values = np.array([getattr(o, field) for o in policy.outcomes])
        low = high = values.mean()
        if values.std() > 0:  # scipy warns on a spread of zero
            low, high = stats.t.interval(0.95, 11, loc=values.mean(), scale=stats.sem(values))
        assert (written[field]["low"], written[field]["high"]) == pytest.approx((low, high))
        assert written[field]["samples"] == 12
    row = next(line for line in report.summary().splitlines() if "profit mean 95% CI" in line)
    assert f"{written['profit']['low']:,.0f} … {written['profit']['high']:,.0f}" in row


def test_weighted_scenarios_get_no_interval() -> None:
    scenario = fs.load(CASES / "fast_reorder.yaml")

    report = simulate(scenario, demand=demand_scenarios(scenario), workers=1, baselines=False)

    assert report.to_dict()["policies"][0]["intervals"] == {}


def test_cli_simulate_without_baselines_scores_the_plan_alone_with_intervals() -> None:
    args = ["simulate", str(CASES / "fast_reorder.yaml"), "--samples", "5", "--workers", "1"]

    result = CliRunner().invoke(main, [*args, "--no-baselines"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["plan"]
    assert any(line.startswith("profit mean 95% CI") and "…" in line for line in lines)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=12), st.integers(1, 3))
def test_distinct_samples_keep_each_demand_once_in_order_of_first_appearance(
    draws: list[int], width: int
) -> None:
    patterns = np.arange(4 * width, dtype=float).reshape(4, 1, width)
    n = len(draws)
    samples = DemandScenarios(patterns[draws], np.full(n, 1.0 / n), [f"s{i}" for i in range(n)])

    distinct, index = distinct_samples(samples)

    firsts = list(dict.fromkeys(draws))
    assert np.array_equal(distinct.units, patterns[firsts])
    assert distinct.names == [f"s{draws.index(d)}" for d in firsts]
    assert np.array_equal(distinct.units[index], samples.units)


def test_repeated_samples_are_solved_once_and_score_as_each_alone(backend: str) -> None:
    # Resampled planning scenarios repeat: 12 samples of a 3-scenario season.
    scenario = fs.load(CASES / "fast_reorder.yaml")
    first = first_stage_from_orders(scenario, fs.solve(scenario, backend).orders)
    samples, _ = sample_demand(scenario, 12, seed=5)
    settings = SolveSettings(backend)
    solved: list[int] = []
    real = stochastic.solve_each_stage

    def counting(*args: Any, **kwargs: Any) -> Any:
        solved.append(args[1].n_scenarios)
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulate_module, "solve_each_stage", counting)
        report = simulate(
            scenario, first, demand=samples, settings=settings, workers=1, baselines=False
        )
    alone = stochastic.solve_each(
        stochastic.risk_neutral(scenario), samples, first, settings, Deadline(None), workers=1
    )

    assert solved == [len(np.unique(samples.units.reshape(12, -1), axis=0))]
    assert solved[0] < 12
    assert report.policy("plan").profits == pytest.approx([o.profit for o in alone])
