"""The rolling policy: K ≥ horizon is the static policy; replans play the season from actuals."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.quick_response import simulate_rolling
from flexsupply.solve.rolling import rolling_outcomes
from flexsupply.solve.rolling_replan import REPLAN_SCENARIOS
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.simulate import first_stage_from_orders, sample_demand
from flexsupply.solve.stochastic import solve_each

DATA = Path(__file__).parent / "data"
SEASON = DATA / "replan" / "scenario.yaml"
FAST_REORDER = DATA / "stochastic" / "fast_reorder.yaml"


@pytest.mark.parametrize("path", [SEASON, FAST_REORDER], ids=["replan-demo", "fast-reorder"])
def test_replanning_every_horizon_or_more_is_the_static_policy(path: Path, backend: str) -> None:
    scenario = fs.load(path)
    plan = fs.solve(scenario, backend)
    first = first_stage_from_orders(scenario, plan.orders)
    futures, _ = sample_demand(scenario, 6, seed=3)
    settings, deadline = SolveSettings(backend), Deadline(None)
    static = solve_each(scenario, futures, first, settings, deadline, workers=1)
    for every in (scenario.horizon.periods, scenario.horizon.periods + 3):
        rolling = rolling_outcomes(scenario, first, futures, every, settings, deadline, 1)
        assert [o.profit for o in rolling] == pytest.approx([o.profit for o in static])
        assert [o.fill_rate for o in rolling] == pytest.approx([o.fill_rate for o in static])


def test_rolling_replans_are_feasible_and_never_beat_knowing_the_sample(backend: str) -> None:
    scenario = fs.load(SEASON)
    plan = fs.solve(scenario, backend)
    first = first_stage_from_orders(scenario, plan.orders)
    futures, _ = sample_demand(scenario, 4, seed=1)
    settings, deadline = SolveSettings(backend), Deadline(None)
    rolling = rolling_outcomes(scenario, first, futures, 1, settings, deadline, 1)
    # Any orders placed are a choice of the sample's wait-and-see plan: it bounds every policy.
    hindsight = solve_each(scenario, futures, None, settings, deadline, workers=1)
    assert all(o.has_plan for o in rolling)
    assert np.all(np.array([o.profit for o in rolling]) <= [o.profit + 1e-6 for o in hindsight])


def test_cli_rolling_reports_the_value_of_quick_response(tmp_path: Path) -> None:
    out = tmp_path / "rolling.json"
    result = CliRunner().invoke(
        main,
        [
            "simulate",
            str(SEASON),
            "--policy",
            "rolling",
            "--every",
            "2",
            "--samples",
            "4",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "rolling every 2" in result.output
    assert "Value of quick response (rolling every 2 − static, per sample)" in result.output
    assert '"value_of_quick_response"' in out.read_text(encoding="utf-8")


def test_a_replan_without_time_leaves_its_sample_unsolved_not_the_run() -> None:
    scenario = fs.load(SEASON)
    first = first_stage_from_orders(scenario, fs.solve(scenario).orders)
    futures, _ = sample_demand(scenario, 2, seed=1)

    outcomes = rolling_outcomes(
        scenario, first, futures, 2, SolveSettings(), Deadline(None), 1, replan_seconds=1e-4
    )

    assert [o.has_plan for o in outcomes] == [False, False]
    assert {o.status for o in outcomes} == {"no_solution"}


def test_cli_replan_seconds_reaches_every_replan(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_response = importlib.import_module("flexsupply.solve.quick_response")
    seen: list[tuple[float | None, int | None]] = []
    real = quick_response.rolling_outcomes

    def recording(*args: Any) -> Any:
        seen.append(args[-2:])
        return real(*args)

    monkeypatch.setattr(quick_response, "rolling_outcomes", recording)
    args = ["simulate", str(SEASON), "--policy", "rolling", "--samples", "2", "--workers", "1"]

    result = CliRunner().invoke(main, [*args, "--replan-seconds", "2.5", "--no-baselines"])
    fewer = CliRunner().invoke(main, [*args, "--replan-scenarios", "1", "--no-baselines"])

    assert result.exit_code == 0, result.output
    assert fewer.exit_code == 0, fewer.output
    assert seen == [(2.5, REPLAN_SCENARIOS), (None, 1)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "not in the range x>0"),
        ("-1", "not in the range x>0"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
    ],
)
def test_cli_replan_seconds_must_be_positive_and_finite(value: str, expected: str) -> None:
    args = ["simulate", str(SEASON), "--policy", "rolling", "--replan-seconds", value]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 2
    assert "--replan-seconds" in result.output
    assert expected in result.output


@pytest.mark.parametrize("flag", ["--replan-seconds", "--replan-scenarios"])
def test_cli_replan_flags_need_the_rolling_policy(flag: str) -> None:
    result = CliRunner().invoke(main, ["simulate", str(SEASON), flag, "5"])

    assert result.exit_code == 2
    assert f"{flag} needs --policy rolling" in result.output


def test_cli_help_states_the_default_scenarios_of_a_replan() -> None:
    result = CliRunner().invoke(main, ["simulate", "--help"])

    assert f"default {REPLAN_SCENARIOS};" in " ".join(result.output.split())


@pytest.mark.parametrize("kept", [0, -2])
def test_simulate_rolling_refuses_fewer_than_one_scenario_a_replan(kept: int) -> None:
    with pytest.raises(ValueError, match="replan_scenarios must be at least 1"):
        simulate_rolling(fs.load(SEASON), every=2, samples=2, replan_scenarios=kept)


@pytest.mark.parametrize("seconds", [0.0, -1.0, float("nan"), float("inf")])
def test_simulate_rolling_refuses_replan_seconds_that_are_not_positive(seconds: float) -> None:
    scenario = fs.load(SEASON)

    with pytest.raises(ValueError, match="replan_seconds must be a positive finite number"):
        simulate_rolling(scenario, every=2, samples=2, replan_seconds=seconds)
