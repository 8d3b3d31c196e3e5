from __future__ import annotations

import builtins
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import flexsupply as fs
from flexsupply.batch import (
    BatchError,
    Variant,
    VariantResult,
    parse_sweep,
    run_batch,
    summary_csv,
    sweep_variants,
    variant_folder,
)
from flexsupply.cli import main
from flexsupply.scenario.overrides import load_with_overrides

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"
PRICES = "products.DRESS-01.price=[90, 120]"


def _untimed(plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """Returns the plan without its run record (seconds, timestamps), which differs per run."""
    if plan is None:
        return None
    return {key: value for key, value in plan.items() if key != "run"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("presale.deposit_share=[0.1, 0.2]", ("presale.deposit_share", [0.1, 0.2])),
        (
            "suppliers.QUICK.capacity=[[1, 2], [3, 4]]",
            ("suppliers.QUICK.capacity", [[1, 2], [3, 4]]),
        ),
        ("solver=[ortools, fast]", ("solver", ["ortools", "fast"])),
    ],
)
def test_parse_sweep_reads_a_yaml_list_of_values(
    text: str, expected: tuple[str, list[Any]]
) -> None:
    assert parse_sweep(text) == expected


@pytest.mark.parametrize("text", ["price=90", "price=[]", "=[1, 2]", "price", "price=[1, 2"])
def test_a_sweep_without_a_list_of_values_is_refused(text: str) -> None:
    with pytest.raises(BatchError, match=r"expected PATH=\[VALUE, VALUE, \.\.\.\]"):
        parse_sweep(text)


def test_sweeps_give_every_combination_named_by_the_shortest_distinct_path_ending() -> None:
    variants = sweep_variants(
        ["suppliers.QUICK.moq=[0, 40]", "suppliers.CHEAP.moq=[5]", "solver=[ortools, pulp]"]
    )

    assert [v.name for v in variants] == [
        "base",
        "QUICK.moq=0 CHEAP.moq=5 solver=ortools",
        "QUICK.moq=0 CHEAP.moq=5 solver=pulp",
        "QUICK.moq=40 CHEAP.moq=5 solver=ortools",
        "QUICK.moq=40 CHEAP.moq=5 solver=pulp",
    ]
    assert variants[4] == Variant(
        "QUICK.moq=40 CHEAP.moq=5 solver=pulp",
        ("suppliers.QUICK.moq=40", "suppliers.CHEAP.moq=5"),
        "pulp",
    )


def test_a_path_swept_twice_is_refused() -> None:
    with pytest.raises(BatchError, match="given twice"):
        sweep_variants(["a.b=[1]", "a.b=[2]"])


def test_each_variant_gets_what_solving_it_alone_gives(tmp_path: Path) -> None:
    variants = sweep_variants([PRICES, "suppliers.QUICK.moq=[0, 40]"])

    results = run_batch(SMALL, variants, workers=1)

    assert [r.variant for r in results] == variants
    for result in results:
        alone = fs.solve(load_with_overrides(SMALL, result.variant.overrides))
        assert result.status == "optimal"
        assert result.plan is not None
        assert result.plan["objective"] == pytest.approx(alone.objective, rel=1e-9)


def test_worker_processes_give_the_same_plans_as_one_process() -> None:
    variants = sweep_variants([PRICES, "solver=[ortools, pulp]"])

    serial = run_batch(SMALL, variants, workers=1)
    parallel = run_batch(SMALL, variants, workers=2)

    assert [r.variant for r in parallel] == variants
    assert [_untimed(r.plan) for r in parallel] == [_untimed(r.plan) for r in serial]


def test_a_variant_without_a_plan_is_a_result_and_the_others_still_solve() -> None:
    cut_off = ("presale.0.lateness=forbidden", "suppliers.QUICK.capacity=0")
    variants = [
        Variant("base"),
        Variant("cut off", cut_off),
        Variant("cheaper", ("products.DRESS-01.price=90",)),
    ]

    results = run_batch(SMALL, variants, workers=1)

    assert [r.status for r in results] == ["optimal", "no plan", "optimal"]
    assert results[1].plan is None
    assert "No plan for 'small'" in results[1].message


def test_bad_overrides_stop_the_batch_before_solving_and_name_each_set(tmp_path: Path) -> None:
    variants = sweep_variants(["products.DRESS-01.prize=[90, 120]"])

    with pytest.raises(fs.ScenarioError) as caught:
        run_batch(SMALL, variants, workers=1, out_dir=tmp_path)

    assert [str(p).split("  ")[0] for p in caught.value.problems] == [
        "--set products.DRESS-01.prize=90",
        "--set products.DRESS-01.prize=120",
    ]
    assert not any(tmp_path.iterdir())


def test_repeated_variant_names_are_refused() -> None:
    with pytest.raises(BatchError, match="used twice"):
        run_batch(SMALL, [Variant("a"), Variant("a", ("products.DRESS-01.price=90",))])


def test_plans_and_summary_are_written_as_variants_finish_and_resume_reuses_them(
    tmp_path: Path,
) -> None:
    variants = sweep_variants([PRICES])
    seen: list[str] = []

    first = run_batch(
        SMALL,
        variants,
        workers=1,
        out_dir=tmp_path,
        on_result=lambda r: seen.append(r.variant.name),
    )

    assert seen == ["base", "price=90", "price=120"]
    for result in first:
        written = json.loads((tmp_path / variant_folder(result.variant) / "plan.json").read_text())
        assert written == _untimed(result.plan)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "batch.csv").read_text())))
    assert [(row["variant"], row["status"]) for row in rows] == [
        ("base", "optimal"),
        ("price=90", "optimal"),
        ("price=120", "optimal"),
    ]
    assert float(rows[2]["expected_profit"]) == pytest.approx(
        first[2].plan["kpis"]["expected_profit"]
    )  # type: ignore[index]

    again = run_batch(
        SMALL,
        [*variants, Variant("moq", ("suppliers.QUICK.moq=40",))],
        workers=1,
        out_dir=tmp_path,
        resume=True,
    )

    assert [r.reused for r in again] == [True, True, True, False]
    assert [_untimed(r.plan) for r in again[:3]] == [_untimed(r.plan) for r in first]


def test_summary_csv_has_a_row_per_variant_with_the_reason_when_there_is_no_plan() -> None:
    result = VariantResult(Variant("x", ("a.b=1",)), "no plan", None, "No plan: too slow", 1.5)

    rows = list(csv.reader(io.StringIO(summary_csv([result]))))

    assert rows[1] == [
        "x",
        "a.b=1",
        "",
        "no plan",
        "",
        "",
        "",
        "",
        "",
        "",
        "1.50",
        "No plan: too slow",
    ]


def test_the_dask_executor_gives_the_same_plans_as_local_processes() -> None:
    pytest.importorskip("distributed")
    variants = sweep_variants([PRICES])

    local = run_batch(SMALL, variants, workers=1)
    on_dask = run_batch(SMALL, variants, workers=1, executor="dask")

    assert [_untimed(r.plan) for r in on_dask] == [_untimed(r.plan) for r in local]


def test_the_dask_executor_names_the_extra_when_dask_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_distributed(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    monkeypatch.delitem(__import__("sys").modules, "distributed", raising=False)
    with pytest.raises(BatchError, match=r"pip install 'flexsupply\[dask\]'"):
        run_batch(SMALL, [Variant("base")], executor="dask")


def test_batch_command_prints_the_comparison_and_writes_the_summary(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "batch",
            str(SMALL),
            "--sweep",
            PRICES,
            "--workers",
            "1",
            "--out-dir",
            str(tmp_path),
            "--quiet",
        ],
    )

    assert result.exit_code == 0, result.output
    header, profit = result.stdout.splitlines()[:2]
    assert header.split() == ["base", "price=90", "price=120"]
    assert profit.split()[-1] == "7,550*"
    assert (tmp_path / "batch.csv").is_file()


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (
            ["--sweep", "products.DRESS-01.price=90"],
            1,
            "Error: --sweep products.DRESS-01.price=90: expected",
        ),
        (["--sweep", "products.DRESS-01.prize=[90]"], 1, "Error: 1 problem in"),
        (["--solver", "gurobi"], 1, "Error: unknown solver 'gurobi'"),
        (["--resume"], 2, "--resume needs --out-dir"),
        (["--no-base"], 2, "nothing to solve"),
    ],
)
def test_batch_command_errors_have_their_exit_code_and_no_traceback(
    arguments: list[str], code: int, message: str
) -> None:
    result = CliRunner().invoke(main, ["batch", str(SMALL), *arguments, "--workers", "1"])

    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_batch_command_exits_3_when_no_variant_has_a_plan() -> None:
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(SMALL),
            "--no-base",
            "--sweep",
            "presale.0.quantity=[5000, 6000]",
            "--sweep",
            "presale.0.lateness=[forbidden]",
            "--workers",
            "1",
            "--quiet",
        ],
    )

    assert result.exit_code == 3
    assert "quantity=5000 lateness=forbidden: no plan: No plan for 'small'" in result.output
