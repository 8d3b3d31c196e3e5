"""Both backends can solve in one process, in either order (each keeps its own HiGHS)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"
SCRIPT = """
import sys
import flexsupply as fs
scenario = fs.load(sys.argv[1])
first = fs.solve(scenario, solver=sys.argv[2], engine="highs")
second = fs.solve(scenario, solver=sys.argv[3], engine="highs")
assert abs(first.objective - second.objective) < 1e-6
"""


@pytest.mark.parametrize(("first", "second"), [("pulp", "ortools"), ("ortools", "pulp")])
def test_pulp_and_ortools_highs_in_one_process(first: str, second: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SMALL), first, second],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
