"""The command line: exact exit codes, readable errors without tracebacks, files written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flexsupply.cli import main

CASES = Path(__file__).parent / "data" / "cli"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("solver", ["ortools", "pulp"])
def test_solve_prints_summary_and_writes_plan_json(tmp_path: Path, solver: str) -> None:
    code, output = run(
        "solve", str(CASES / "small.yaml"), "--solver", solver, "--out-dir", str(tmp_path)
    )

    assert code == 0
    assert output.startswith(f"small: optimal ({solver}/")
    assert "expected profit" in output
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert {"status", "objective", "kpis", "orders"} <= set(plan)
    assert plan["status"] == "optimal"
    assert plan["objective"] == pytest.approx(plan["kpis"]["expected_profit"])
    assert all(order["supplier"] in {"QUICK", "CHEAP"} for order in plan["orders"])


def test_solve_bad_file_exits_1_with_located_problems_and_no_traceback() -> None:
    code, output = run("solve", str(CASES / "bad.yaml"))

    assert code == 1
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert lines[0] == f"Error: 2 problems in {CASES / 'bad.yaml'}"
    assert lines[1].endswith("bad.yaml:4:12  products[0].price: must be ≥ 0, got -5")
    assert (
        "suppliers[0].terms[0].product: unknown product 'DRES-01' (did you mean 'DRESS-01'?)"
        in lines[2]
    )


def test_infeasible_plan_exits_3_and_says_why_in_business_words() -> None:
    code, output = run("solve", str(CASES / "infeasible.yaml"))

    assert code == 3
    assert "Traceback" not in output
    assert "No plan for 'crunch'" in output
    assert (
        "presale of DRESS-01 taken in week 1 needs 900 units by week 2; the only supplier fast "
        "enough (QR) with no stock on hand can deliver only 600 (short 300)"
    ) in output


def test_debug_shows_the_traceback() -> None:
    result = CliRunner().invoke(main, ["--debug", "solve", str(CASES / "bad.yaml")])

    assert result.exit_code == 1
    assert "Traceback" in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["solve", "x.yaml", "--solver", "gurobi"], 2),
        (["solve", "x.yaml", "--time-limit", "-1"], 2),
        (["solve"], 2),
        (["solve", "missing.yaml"], 1),
        (["solve", str(CASES / "small.yaml"), "--engine", "cplex"], 1),
        (["solve", str(CASES / "small.yaml"), "--engine", "highs", "--threads", "2"], 1),
    ],
)
def test_usage_and_input_errors_have_documented_exit_codes(args: list[str], code: int) -> None:
    exit_code, output = run(*args)

    assert exit_code == code
    assert "Traceback" not in output


def test_validate_reports_every_file_and_fails_if_any_is_bad() -> None:
    code, output = run("validate", str(CASES / "small.yaml"), str(CASES / "bad.yaml"))

    assert code == 1
    assert (
        f"{CASES / 'small.yaml'}: ok (1 products, 2 suppliers, 3 periods, 1 demand scenarios)"
        in output
    )
    assert "2 problems" in output


@pytest.mark.parametrize("command", [[], ["solve"], ["validate"]])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    code, output = run(*command, "--help")

    assert code == 0
    assert "Example" in output or "Exit codes" in output
