"""The same answer twice: plan files identical apart from the run record, and a clock stop said."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import flexsupply as fs
from flexsupply.plan.outputs import write_outputs
from flexsupply.plan.run import TIME_LIMIT_NOTICE
from flexsupply.plan.summary import plan_summary
from flexsupply.report import render_report

ROOT = Path(__file__).parents[1]
DATED = Path(__file__).parent / "data" / "outputs" / "dated.yaml"
RUN_SLOW = os.environ.get("FLEXSUPPLY_SLOW_TESTS") == "1"
SECONDS = re.compile(r"\d+\.\d s,")
"""How long a solve took, in the summary's first line (the README shows it as ``… s,``)."""


def untimed(plan: dict[str, object]) -> dict[str, object]:
    """Returns plan.json's data without its run record."""
    return {key: value for key, value in plan.items() if key != "run"}


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_two_solves_write_the_same_files_apart_from_the_run_record(tmp_path: Path) -> None:
    for run in ("a", "b"):
        write_outputs(fs.solve(fs.load(DATED)), tmp_path / run)

    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    plans = [json.loads(first.pop("plan.json")), json.loads(second.pop("plan.json"))]

    assert first == second  # every CSV file and plan.xlsx, byte for byte
    assert [list(plan)[-1] for plan in plans] == ["run", "run"]
    assert {key for key in plans[0]["run"]} >= {"started_at", "seconds"}
    assert untimed(plans[0]) == untimed(plans[1])


def test_the_workbook_holds_no_date_of_saving(tmp_path: Path) -> None:
    zipfile = pytest.importorskip("zipfile")
    write_outputs(fs.solve(fs.load(DATED)), tmp_path)

    with zipfile.ZipFile(tmp_path / "plan.xlsx") as book:
        core = book.read("docProps/core.xml").decode()
        dates = {item.date_time for item in book.infolist()}

    assert "dcterms:created" not in core
    assert "dcterms:modified" not in core
    assert dates == {(1980, 1, 1, 0, 0, 0)}


def test_a_plan_the_clock_stopped_says_so_everywhere() -> None:
    plan = replace(fs.solve(fs.load(DATED)), stop="time_limit")

    assert plan.to_dict()["notice"] == TIME_LIMIT_NOTICE
    assert TIME_LIMIT_NOTICE in plan_summary(plan).splitlines()[0]
    assert f'id="notice">{TIME_LIMIT_NOTICE}<' in render_report(plan)


def test_a_plan_stopped_by_the_gap_has_no_notice() -> None:
    plan = fs.solve(fs.load(DATED))

    assert plan.stop == "gap"
    assert plan.to_dict()["notice"] is None
    assert 'id="notice"' not in render_report(plan)


def demo_flags() -> list[str]:
    """Returns the settings ``make demo`` solves with (``DEMO_FLAGS`` in the Makefile)."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith("DEMO_FLAGS ?="):
            return shlex.split(line.partition("?=")[2])
    raise AssertionError("the Makefile sets no DEMO_FLAGS")


def test_the_demo_stops_on_work_limits_with_the_clock_only_a_safety_net() -> None:
    assert "--time-limit" in demo_flags()
    assert "--iterations" in demo_flags() or "--node-limit" in demo_flags()


@pytest.mark.slow
@pytest.mark.skipif(
    not RUN_SLOW, reason="two demo solves at once; run with FLEXSUPPLY_SLOW_TESTS=1"
)
def test_two_demo_solves_at_the_same_time_give_the_same_plan(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from flexsupply.cli import main; main()"]
    command += ["solve", "scenarios/spring-drop.yaml", *demo_flags()]
    runs = [
        subprocess.Popen(
            [*command, "--out-dir", str(tmp_path / name)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    printed = []
    for run, name in zip(runs, "ab", strict=True):
        output, error = run.communicate(timeout=900)
        assert run.returncode == 0, error.decode()[-2000:]
        # The folders differ by name only: "Wrote …/a/orders.csv" against "…/b/orders.csv".
        printed.append(output.decode().replace(str(tmp_path / name), "OUT").splitlines())

    plans = [json.loads((tmp_path / n / "plan.json").read_text(encoding="utf-8")) for n in "ab"]
    assert plans[0]["solver"]["method"] == "decompose"
    assert plans[0]["stopped_by"] != "time_limit", "the safety net stopped the demo"
    assert plans[0]["orders"] == plans[1]["orders"]
    assert untimed(plans[0]) == untimed(plans[1])
    assert files(tmp_path / "a").keys() == files(tmp_path / "b").keys()
    for name in ("orders.csv", "plan.xlsx"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert printed[0][1:] == printed[1][1:]  # the first line says how long it took
    quoted = readme_demo_lines()
    assert quoted, "the README quotes no demo figures"
    shown = [SECONDS.sub("… s,", line) for line in printed[0]]
    assert [line for line in quoted if line not in shown] == []


def readme_demo_lines() -> list[str]:
    """Returns the demo summary lines the README quotes (between its demo-summary markers)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- demo-summary: begin -->")[1].split("<!-- demo-summary: end -->")[0]
    return [line for line in block.splitlines() if line.startswith(("  ", "spring-drop: "))]
