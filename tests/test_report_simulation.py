"""The out-of-sample section of the HTML report, from a `simulate --out` file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flexsupply.cli import main
from flexsupply.errors import FlexsupplyError
from flexsupply.report.simulation import read_simulation, simulation_html

SEASON = Path(__file__).parent / "data" / "replan" / "scenario.yaml"


def policy(name: str, profit: float) -> dict[str, object]:
    stats = {"mean": profit, "p5": profit - 10, "p50": profit, "p95": profit + 10}
    return {
        "name": name,
        "profit": stats,
        "fill_rate": {"mean": 0.9, "p5": 0.8, "p50": 0.9, "p95": 1.0},
        "leftover_units": {"mean": 12.0, "p5": 0.0, "p50": 10.0, "p95": 30.0},
        "infeasible_samples": 0,
    }


def test_section_has_a_row_per_policy_and_the_value_of_quick_response() -> None:
    report = {
        "currency": "CNY",
        "samples": 40,
        "seed": 0,
        "source": "signal model",
        "every": 2,
        "policies": [policy("static plan", 1000.0), policy("rolling every 2", 1250.0)],
        "profit_interval": {"static plan": {"low": 900.0, "high": 1100.0}},
        "value_of_quick_response": {"mean": 250.0, "low": 100.0, "high": 400.0, "samples": 40},
    }
    html = simulation_html(report)
    assert "<td>static plan</td><td>1,000</td><td>900 … 1,100</td>" in html
    assert "<td>rolling every 2</td><td>1,250</td><td>–</td>" in html
    assert "<strong>250 CNY</strong>, 95 % interval 100 … 400 over 40 samples" in html


def test_a_file_that_is_not_a_simulation_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"orders": []}), encoding="utf-8")
    with pytest.raises(FlexsupplyError, match="not a simulation report"):
        read_simulation(path)


def test_cli_report_adds_the_rolling_simulation(tmp_path: Path) -> None:
    runner = CliRunner()
    plan, sim, page = tmp_path / "plan", tmp_path / "sim.json", tmp_path / "report.html"
    assert (
        runner.invoke(main, ["solve", str(SEASON), "--out-dir", str(plan), "--quiet"]).exit_code
        == 0
    )
    simulated = runner.invoke(
        main,
        [
            "simulate",
            str(SEASON),
            "--plan",
            str(plan / "plan.json"),
            "--policy",
            "rolling",
            "--every",
            "3",
            "--samples",
            "3",
            "--workers",
            "1",
            "--out",
            str(sim),
        ],
    )
    assert simulated.exit_code == 0, simulated.output
    result = runner.invoke(main, ["report", str(plan), "--simulation", str(sim), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert '<section id="simulation"><h2>Out of sample</h2>' in html
    assert "<td>rolling every 3</td>" in html
    assert "Value of quick response (rolling every 3" in html


def test_section_shows_each_policys_intervals_of_profit_fill_rate_and_leftover() -> None:
    static = policy("static plan", 1000.0)
    static["intervals"] = {
        "profit": {"mean": 1000.0, "low": 950.0, "high": 1050.0, "samples": 30},
        "fill_rate": {"mean": 0.9, "low": 0.875, "high": 0.925, "samples": 30},
        "leftover_units": {"mean": 12.0, "low": 10.0, "high": 14.0, "samples": 30},
    }
    report = {"currency": "CNY", "samples": 30, "seed": 0, "policies": [static]}

    html = simulation_html(report)

    assert "<td>static plan</td><td>1,000</td><td>950 … 1,050</td>" in html
    assert '<td>90.0% <span class="ci">(87.5% … 92.5%)</span></td>' in html
    assert '<td>12 <span class="ci">(10 … 14)</span></td>' in html
