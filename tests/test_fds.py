"""stdout carries only the command's result: an engine's banner from C code goes to stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flexsupply.backends import BACKENDS

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from flexsupply.cli import main; main()", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module", autouse=True)
def _pulp_highs() -> None:
    if "pulp" not in BACKENDS or os.environ.get("FLEXSUPPLY_NO_PULP"):
        pytest.skip("PuLP is not installed")


def test_solve_quiet_prints_nothing_on_stdout_under_pulp_highs() -> None:
    done = _run("solve", str(SMALL), "--solver", "pulp", "--engine", "highs", "--quiet")

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_solve_json_is_the_only_thing_on_stdout_under_pulp_highs() -> None:
    done = _run("solve", str(SMALL), "--solver", "pulp", "--engine", "highs", "--format", "json")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"


def test_compare_csv_is_the_only_thing_on_stdout_under_pulp_highs() -> None:
    done = _run("compare", str(SMALL), "--solver", "pulp", "--engine", "highs", "--format", "csv")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("key,unit,better,")
    assert "HiGHS" not in done.stdout
