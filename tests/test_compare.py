"""`flexsupply compare`: KPIs of plans side by side, the best value of each row marked."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.plan.compare import compare_plans, read_plan_file, unique_labels
from flexsupply.plan.files import PlanFileError
from flexsupply.plan.outputs import write_outputs

DATA = Path(__file__).parent / "data"
DATED = DATA / "outputs" / "dated.yaml"
SMALL = DATA / "cli" / "small.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def plans() -> dict[str, fs.Plan]:
    return {"dated": fs.solve(fs.load(DATED)), "small": fs.solve(fs.load(SMALL))}


@pytest.fixture
def plan_files(plans: dict[str, fs.Plan], tmp_path: Path) -> dict[str, Path]:
    return {name: write_outputs(plan, tmp_path / name)[0] for name, plan in plans.items()}


def order_cost(plan: fs.Plan) -> float:
    return plan.kpis.costs["purchase"] + plan.kpis.costs["setup"]


def test_compare_on_two_plans_marks_the_best_value_of_each_row(
    plans: dict[str, fs.Plan], plan_files: dict[str, Path]
) -> None:
    code, output = run(
        "compare", str(plan_files["dated"]), str(plan_files["small"]), "--format", "json"
    )

    assert code == 0, output
    data = json.loads(output)
    labels = ["dated/plan", "small/plan"]
    assert [item["label"] for item in data["plans"]] == labels
    rows = {row["key"]: row for row in data["rows"]}
    dated, small = plans["dated"], plans["small"]
    # Oracles from the Plan objects themselves: the dated season sells more, at more cost.
    assert dated.kpis.expected_profit > small.kpis.expected_profit
    assert order_cost(dated) > order_cost(small)
    assert rows["expected_profit"]["best"] == ["dated/plan"]
    assert rows["order_cost"]["best"] == ["small/plan"]
    assert rows["expected_profit"]["values"]["small/plan"] == pytest.approx(
        small.kpis.expected_profit
    )
    # Both plans serve all demand, leave nothing over and are proven optimal: nothing to mark.
    for key in ["fill_rate", "presale_on_time_share", "leftover_units", "gap"]:
        values = list(rows[key]["values"].values())
        assert values[0] == values[1]
        assert rows[key]["best"] == []
    assert rows["status"]["values"] == {"dated/plan": "optimal", "small/plan": "optimal"}
    assert rows["cash_low_point"]["values"] == {"dated/plan": None, "small/plan": None}


def test_units_by_supplier_weigh_reorders_by_their_scenario_probability(
    plans: dict[str, fs.Plan], plan_files: dict[str, Path]
) -> None:
    code, output = run("compare", str(plan_files["dated"]), "--format", "json")

    assert code == 0, output
    rows = {row["key"]: row for row in json.loads(output)["rows"]}
    plan = plans["dated"]
    chance = dict(zip(plan.scenarios, plan.probabilities, strict=True))
    for supplier in plan.suppliers:
        expected = sum(
            order.quantity * (1 if order.scenario is None else chance[order.scenario])
            for order in plan.orders
            if order.supplier == supplier
        )
        row = rows[f"units_from.{supplier}"]
        assert row["values"]["plan"] == pytest.approx(expected)
        assert row["better"] == "none"
        assert row["best"] == []


def test_compare_solves_a_scenario_file_given_instead_of_a_plan(
    plans: dict[str, fs.Plan], plan_files: dict[str, Path]
) -> None:
    code, output = run(
        "compare", str(SMALL), str(plan_files["dated"]), "--solver", "pulp", "--format", "json"
    )

    assert code == 0, output
    data = json.loads(output)
    assert [item["label"] for item in data["plans"]] == ["small", "plan"]
    assert data["plans"][0]["source"] == str(SMALL)
    rows = {row["key"]: row for row in data["rows"]}
    assert rows["expected_profit"]["values"]["small"] == pytest.approx(
        plans["small"].kpis.expected_profit, abs=1e-4
    )
    assert rows["expected_profit"]["best"] == ["plan"]


def test_table_marks_best_values_with_a_star_and_labels_money_with_the_currency(
    plans: dict[str, fs.Plan], plan_files: dict[str, Path]
) -> None:
    code, output = run("compare", str(plan_files["dated"].parent), str(plan_files["small"]))

    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["dated", "plan"]
    profit = next(line for line in lines if line.startswith("expected profit [CNY]"))
    dated, small = plans["dated"].kpis.expected_profit, plans["small"].kpis.expected_profit
    assert profit.split()[-2:] == [f"{dated:,.0f}*", f"{small:,.0f}"]
    cost = next(line for line in lines if line.startswith("order cost [CNY]"))
    assert cost.rstrip().endswith("*")
    fill = next(line for line in lines if line.startswith("fill rate"))
    assert "*" not in fill
    assert lines[-1] == "* best value of the row"


def test_csv_format_has_one_column_per_plan_and_the_best_labels(
    plans: dict[str, fs.Plan], plan_files: dict[str, Path]
) -> None:
    code, output = run(
        "compare", str(plan_files["dated"]), str(plan_files["small"]), "--format", "csv"
    )

    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert list(rows[0]) == ["key", "unit", "better", "dated/plan", "small/plan", "best"]
    profit = next(row for row in rows if row["key"] == "expected_profit")
    assert (profit["unit"], profit["better"], profit["best"]) == ("money", "higher", "dated/plan")
    assert float(profit["dated/plan"]) == pytest.approx(plans["dated"].kpis.expected_profit)


def synthetic(plan: fs.Plan, **kpis: Any) -> dict[str, Any]:
    data = copy.deepcopy(plan.to_dict())
    data["kpis"].update(kpis)
    return data


@pytest.mark.parametrize(
    ("key", "values", "best"),
    [
        ("expected_profit", [100.0, 300.0, 300.0], [False, True, True]),
        ("expected_profit", [-50.0, -10.0, -20.0], [False, True, False]),
        ("leftover_units", [12.0, 3.0, 7.0], [False, True, False]),
        ("fill_rate", [0.9, 0.9, 0.9], [False, False, False]),
        ("cash_low_point", [None, -500.0, 200.0], [False, False, True]),
        ("cash_low_point", [None, None, 200.0], [False, False, False]),
    ],
)
def test_best_depends_on_the_row_ties_are_all_marked_and_missing_values_skipped(
    plans: dict[str, fs.Plan], key: str, values: list[float | None], best: list[bool]
) -> None:
    data = [synthetic(plans["small"], **{key: value}) for value in values]

    comparison = compare_plans(data, ["a", "b", "c"])

    (row,) = [row for row in comparison.rows if row.key == key]
    assert row.values == values
    assert row.best == best


def test_money_rows_are_not_ranked_across_currencies(plans: dict[str, fs.Plan]) -> None:
    cny = synthetic(plans["small"], expected_profit=100.0)
    usd = synthetic(plans["small"], expected_profit=200.0)
    usd["currency"] = "USD"

    comparison = compare_plans([cny, usd], ["cny", "usd"])

    rows = {row.key: row for row in comparison.rows}
    assert rows["expected_profit"].best == [False, False]
    assert rows["fill_rate"].unit == "share"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kpis": ', "bad.json:1:10  not valid JSON"),
        ("[1, 2]", "bad.json:1:1  expected a JSON object, got list"),
        ('{"products": ["DRESS-01"]}', "bad.json  not a flexsupply plan (no 'status' or 'orders')"),
        (
            '{"status": "optimal", "currency": "CNY", "kpis": {"expected_profit": 1}}',
            "bad.json  not a flexsupply plan (no 'orders')",
        ),
    ],
)
def test_a_file_that_is_not_a_plan_exits_1_naming_it_without_a_traceback(
    tmp_path: Path, text: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")

    code, output = run("compare", str(bad))

    assert code == 1
    assert "Traceback" not in output
    assert output.startswith(f"Error: {tmp_path}/")
    assert message in output
    with pytest.raises(PlanFileError, match=r"bad\.json"):
        read_plan_file(bad)


def test_an_order_of_an_unknown_scenario_is_not_a_plan(
    plans: dict[str, fs.Plan], tmp_path: Path
) -> None:
    data = plans["dated"].to_dict()
    data["orders"][-1]["scenario"] = "nowhere"
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(
        PlanFileError, match=r"edited\.json.*orders name demand scenarios the plan lacks: nowhere"
    ):
        read_plan_file(bad)


def test_a_missing_plan_file_exits_1(tmp_path: Path) -> None:
    code, output = run("compare", str(tmp_path / "gone.json"))

    assert code == 1
    assert output == f"Error: {tmp_path / 'gone.json'}  no such file\n"


def test_a_bad_scenario_file_exits_1_with_its_problems() -> None:
    code, output = run("compare", str(DATA / "cli" / "bad.yaml"))

    assert code == 1
    assert "Traceback" not in output
    assert "products[0].price: must be ≥ 0, got -5" in output


@pytest.mark.parametrize(
    ("paths", "labels"),
    [
        (["a/plan.json", "b/plan.json"], ["a/plan", "b/plan"]),
        (["spring.yaml", "out/plan.json"], ["spring", "plan"]),
        (["x/plan.json", "x/plan.json"], ["x/plan", "x/plan#2"]),
        (["base.yaml", "base.json", "base.yml"], ["./base", "./base#2", "./base#3"]),
    ],
)
def test_columns_are_labelled_by_file_stem_and_duplicates_told_apart(
    paths: list[str], labels: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    got = unique_labels(paths)

    assert got == [label.replace("./", f"{tmp_path.name}/") for label in labels]
    assert len(set(got)) == len(got)


def test_help_describes_the_inputs_and_gives_an_example() -> None:
    code, output = run("compare", "--help")

    assert code == 0
    assert "Usage: main compare [OPTIONS] INPUTS..." in output
    assert "Example: flexsupply compare out/base/plan.json" in output
    assert "--format [table|json|csv]" in output


def test_no_input_is_a_usage_error() -> None:
    code, _ = run("compare")

    assert code == 2


def test_solver_profiles_solve_scenario_files_as_for_solve() -> None:
    code, output = run("compare", str(SMALL), "--solver", "pulp-cbc", "--format", "json")

    assert code == 0, output
    rows = {row["key"]: row for row in json.loads(output)["rows"]}
    assert rows["status"]["values"] == {"small": "optimal"}


def test_an_unknown_solver_exits_1_naming_the_choices() -> None:
    code, output = run("compare", str(SMALL), "--solver", "pulpp")

    assert code == 1
    assert "Traceback" not in output
    assert "unknown solver 'pulpp' (did you mean 'pulp'?)" in output
