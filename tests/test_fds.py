"""stdout carries only the command's result: an engine's banner from C code goes to stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flexsupply.backends import BACKENDS
from flexsupply.fds import fd_filtered

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from flexsupply.cli import main; main()", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def _pulp_highs() -> None:
    if "pulp" not in BACKENDS or os.environ.get("FLEXSUPPLY_NO_PULP"):
        pytest.skip("PuLP is not installed")


@pytest.mark.usefixtures("_pulp_highs")
def test_solve_quiet_prints_nothing_on_stdout_under_pulp_highs() -> None:
    done = _run("solve", str(SMALL), "--solver", "pulp", "--engine", "highs", "--quiet")

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


@pytest.mark.usefixtures("_pulp_highs")
def test_solve_json_is_the_only_thing_on_stdout_under_pulp_highs() -> None:
    done = _run("solve", str(SMALL), "--solver", "pulp", "--engine", "highs", "--format", "json")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"


@pytest.mark.usefixtures("_pulp_highs")
def test_compare_csv_is_the_only_thing_on_stdout_under_pulp_highs() -> None:
    done = _run("compare", str(SMALL), "--solver", "pulp", "--engine", "highs", "--format", "csv")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("key,unit,better,")
    assert "HiGHS" not in done.stdout


def test_a_default_solve_prints_no_banner_and_no_engine_errors() -> None:
    # the time limit brings the warm start, whose HiGHS prints a banner when created
    done = _run("solve", str(SMALL), "--time-limit", "60")

    assert done.returncode == 0, done.stderr
    assert "HiGHS" not in done.stdout + done.stderr
    assert "ERROR" not in done.stderr  # SCIP's interrupt event handler complains at each solve
    assert done.stdout.startswith("small: optimal")


def test_filtered_descriptor_drops_matching_lines_and_passes_the_rest_at_once(
    capfd: pytest.CaptureFixture[str],
) -> None:
    written = [b"progress 1\r", b"progress 2\n[noise:12] ERROR: x\n[kept] y\n", b"no newline"]

    with fd_filtered(2, re.compile(rb"\[noise:\d+\] ERROR")):
        for chunk in written:
            os.write(2, chunk)

    assert capfd.readouterr().err == "progress 1\rprogress 2\n[kept] y\nno newline"
