"""The command line: exact exit codes, readable errors without tracebacks, files written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

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
        (["solve", str(CASES / "small.yaml"), "--solver", "gurobi"], 1),
        (["solve", "x.yaml", "--format", "xml"], 2),
        (["init"], 2),
        (["init", "x", "--template", "black-friday"], 2),
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
        f"{CASES / 'small.yaml'}: ok (1 product, 2 suppliers, 3 periods, 1 demand scenario)"
        in output
    )
    assert "2 problems" in output


@pytest.mark.parametrize(
    ("sets", "applied"),
    [
        ([], ""),
        (["suppliers.QUICK.moq=50"], " with 1 override: suppliers.QUICK.moq=50"),
        (
            ["suppliers.QUICK.moq=50", "suppliers.CHEAP.capacity=300"],
            " with 2 overrides: suppliers.QUICK.moq=50, suppliers.CHEAP.capacity=300",
        ),
    ],
)
def test_validate_says_which_overrides_were_applied(sets: list[str], applied: str) -> None:
    options = [word for text in sets for word in ("--set", text)]

    code, output = run("validate", str(CASES / "small.yaml"), *options)

    assert code == 0
    counts = "1 product, 2 suppliers, 3 periods, 1 demand scenario"
    assert output == f"{CASES / 'small.yaml'}: ok ({counts}){applied}\n"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, output = run(command, "--help")

    assert code == 0
    assert re.search(rf"^  Example: flexsupply {command}\b", output, re.MULTILINE)


def test_the_main_help_lists_every_command_and_the_exit_codes() -> None:
    code, output = run("--help")

    assert code == 0
    assert "Exit codes: 0 ok, 1 bad input, 2 usage error, 3 no plan." in output
    for command in ("init", "validate", "solve", "schema", "solvers", "simulate", "forecast"):
        assert f"  {command} " in output


def solve_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["solve", "--format", "json", "--quiet", *args])
    assert result.exit_code == 0, result.output
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def test_set_changes_a_supplier_terms_field_by_supplier_id() -> None:
    before = solve_json(str(CASES / "small.yaml"))
    after = solve_json(str(CASES / "small.yaml"), "--set", "suppliers.QUICK.moq=60")

    quick = [order["quantity"] for order in after["orders"] if order["supplier"] == "QUICK"]
    assert quick
    assert min(quick) >= 60 - 1e-6
    assert min(o["quantity"] for o in before["orders"] if o["supplier"] == "QUICK") < 60


def test_set_on_a_nested_list_item_by_id_reaches_the_plan() -> None:
    plan = solve_json(
        str(CASES / "small.yaml"),
        "--set",
        "presale.DRESS-01.quantity=0",
        "--set",
        "demand.units.DRESS-01=[0, 0, 0]",
    )

    assert plan["orders"] == []
    assert plan["objective"] == pytest.approx(0)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "suppliers.QUIK.moq=50",
            "--set suppliers.QUIK.moq=50  suppliers: no item 'QUIK' and no field of its items by "
            "that name (did you mean 'QUICK'?); items here: QUICK, CHEAP; or an index 0-1",
        ),
        (
            "suppliers.QUICK.moq=-5",
            "--set suppliers.QUICK.moq=-5  suppliers[0].terms[0].moq: must be ≥ 0, got -5",
        ),
        (
            "horizon.periods=three",
            "--set horizon.periods=three  horizon.periods: expected a whole number, got 'three'",
        ),
    ],
)
@pytest.mark.parametrize("command", ["solve", "validate"])
def test_a_bad_set_exits_1_with_the_option_named_and_no_traceback(
    command: str, option: str, message: str
) -> None:
    code, output = run(command, str(CASES / "small.yaml"), "--set", option)

    assert code == 1
    assert "Traceback" not in output
    assert f"  {message}\n" in output


def test_format_json_prints_only_the_plan_on_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["solve", str(CASES / "small.yaml"), "--format", "json", "--out-dir", str(tmp_path)]
    )

    assert result.exit_code == 0
    plan = json.loads(result.stdout)
    written = json.loads((tmp_path / "plan.json").read_text())
    assert {k: v for k, v in plan.items() if k != "run"} == {
        k: v for k, v in written.items() if k != "run"
    }
    assert "seconds" in plan["run"]
    assert plan["status"] == "optimal"
    assert f"Wrote {tmp_path / 'plan.json'}\n" in result.stderr


def test_quiet_prints_only_the_files_written(tmp_path: Path) -> None:
    code, output = run("solve", str(CASES / "small.yaml"), "--quiet", "--out-dir", str(tmp_path))

    assert code == 0
    lines = output.splitlines()
    assert f"Wrote {tmp_path / 'plan.json'}" in lines
    assert all(line.startswith(f"Wrote {tmp_path}") for line in lines)


@pytest.mark.parametrize(
    ("args", "head"),
    [
        (["--solver", "fast"], "small: optimal (ortools/highs, "),
        (["--solver", "pulp-highs"], "small: optimal (pulp/highs, "),
        (["--solver", "fast", "--engine", "scip"], "small: optimal (ortools/scip, "),
        (["--solver", "pulp-cbc", "--engine", "highs"], "small: optimal (pulp/highs, "),
    ],
)
def test_solver_profiles_by_name_and_flags_that_override_them(args: list[str], head: str) -> None:
    code, output = run("solve", str(CASES / "small.yaml"), *args)

    assert code == 0
    assert output.startswith(head)


def test_a_solver_profile_file_given_by_path(tmp_path: Path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text("backend: pulp\nengine: cbc\ntime_limit: 20\ngap: 0.05\n")

    code, output = run("solve", str(CASES / "small.yaml"), "--solver", str(profile))

    assert code == 0
    assert output.startswith("small: optimal (pulp/cbc, ")


def test_a_bad_profile_file_exits_1_with_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text("backend: pulp\nengine: scip\n")

    code, output = run("solve", str(CASES / "small.yaml"), "--solver", str(profile))

    assert code == 1
    assert "Traceback" not in output
    assert output == (
        f"Error: 1 problem in solver profile {profile}\n"
        f"  {profile}:2:9  engine: unknown engine 'scip' for pulp; choose highs, cbc\n"
    )


def test_solvers_lists_the_profiles_and_the_installed_engines() -> None:
    code, output = run("solvers")

    assert code == 0
    assert "  fast           ortools/highs, 30 s, gap 2 %" in output
    assert "  ortools  scip (installed), highs (installed)" in output


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
@pytest.mark.parametrize("template", ["spring-drop", "double11", "group-buy", "minimal"])
def test_init_writes_a_template_that_validates_and_solves(
    tmp_path: Path, template: str, backend: str
) -> None:
    code, output = run("init", str(tmp_path), "--template", template)
    scenario = tmp_path / f"{template}.yaml"
    assert code == 0
    assert output == (
        f"Wrote {scenario}\nWrote {tmp_path / 'scenario.schema.json'}\n\n"
        f"Next: flexsupply solve {scenario}\n"
    )

    code, output = run("validate", str(scenario))
    assert code == 0
    assert output.startswith(f"{scenario}: ok (")

    code, output = run("solve", str(scenario), "--solver", backend)
    assert code == 0
    assert re.search(rf"^{template}: (optimal|feasible) \({backend}/", output, re.MULTILINE)


def test_init_again_says_it_kept_files_that_are_up_to_date(tmp_path: Path) -> None:
    run("init", str(tmp_path), "--template", "minimal")

    code, output = run("init", str(tmp_path), "--template", "minimal")

    scenario = tmp_path / "minimal.yaml"
    assert code == 0
    assert output == (
        f"Kept {scenario} (already up to date)\n"
        f"Kept {tmp_path / 'scenario.schema.json'} (already up to date)\n\n"
        f"Next: flexsupply solve {scenario}\n"
    )


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    run("init", str(tmp_path), "--template", "minimal")
    (tmp_path / "minimal.yaml").write_text("name: edited\n")

    code, output = run("init", str(tmp_path), "--template", "minimal")
    assert code == 1
    assert output == (
        f"Error: {tmp_path / 'minimal.yaml'} already exists; use --force to overwrite\n"
    )
    assert (tmp_path / "minimal.yaml").read_text() == "name: edited\n"

    code, _ = run("init", str(tmp_path), "--template", "minimal", "--force")
    assert code == 0
    assert (tmp_path / "minimal.yaml").read_text().startswith("# yaml-language-server: $schema=")


def test_schema_prints_json_with_the_scenario_blocks_or_writes_it(tmp_path: Path) -> None:
    code, output = run("schema")
    assert code == 0
    schema = json.loads(output)
    assert {"horizon", "products", "suppliers", "presale", "demand"} <= set(schema["properties"])

    code, output = run("schema", "-o", str(tmp_path / "s.json"))
    assert code == 0
    assert output == f"Wrote {tmp_path / 's.json'}\n"
    assert json.loads((tmp_path / "s.json").read_text()) == schema


def test_format_json_keeps_the_solver_log_off_stdout() -> None:
    result = CliRunner().invoke(
        main, ["solve", str(CASES / "small.yaml"), "--format", "json", "--log", "--engine", "scip"]
    )

    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "optimal"
    assert "SCIP Status" in result.stderr
