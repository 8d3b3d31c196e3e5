"""Wall time of `flexsupply solve` against its time limit: the limit covers the whole command.

Runs, as a user would from a shell, each command of ``COMMANDS`` in a fresh process and records
its wall time (process start to exit, imports included), the summary line it printed, and the
load average before and after (the 2 cores are shared: a loaded machine stretches every
number). Target: wall time ≤ limit + ``TARGET_SLACK`` seconds.

    .venv/bin/python benchmarks/time_budget.py            # writes results/time-budget.{json,md}
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

SCENARIO = "scenarios/spring-drop.yaml"
COMMANDS: list[tuple[str, float, list[str]]] = [
    ("--time-limit 30 --stochastic-report", 30.0, ["--time-limit", "30", "--stochastic-report"]),
    ("--solver fast", 30.0, ["--solver", "fast"]),
    (
        "--solver pulp --engine cbc --method monolithic --time-limit 20",
        20.0,
        ["--solver", "pulp", "--engine", "cbc", "--method", "monolithic", "--time-limit", "20"],
    ),
]
"""(label, limit [seconds], flags) of each run."""
TARGET_SLACK = 3.0
"""Seconds a command may take beyond its time limit (process start, imports, output)."""


def _error_line(stderr: str) -> str:
    """Returns the ``Error:`` line of a command that printed no summary (or its last line)."""
    lines = stderr.strip().splitlines()
    return next((line for line in lines if line.startswith("Error:")), lines[-1] if lines else "")


def run(flags: list[str], limit: float) -> dict[str, Any]:
    """Runs ``flexsupply solve SCENARIO FLAGS`` once and returns its timing record."""
    command = [str(harness.ROOT / ".venv" / "bin" / "flexsupply"), "solve", SCENARIO, *flags]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=harness.ROOT, capture_output=True, text=True, timeout=10 * limit, check=False
    )
    wall = time.perf_counter() - started
    lines = done.stdout.splitlines()
    return {
        "command": "flexsupply solve " + " ".join([SCENARIO, *flags]),
        "limit_s": limit,
        "wall_s": round(wall, 2),
        "over_limit_s": round(wall - limit, 2),
        "met": wall <= limit + TARGET_SLACK,
        "exit_code": done.returncode,
        "summary": lines[0] if lines else _error_line(done.stderr),
        "stochastic": next((line for line in lines if "Stochastic report" in line), None),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    lines = [
        "# Time budget: wall time of `flexsupply solve` against its limit",
        "",
        f"Run {results['date']} on {results['cpus']} CPUs by `benchmarks/time_budget.py`. Wall "
        "time is the whole process (start, imports, sampling, build, warm start, engine, report, "
        f"output); target: limit + {TARGET_SLACK:g} s. Load is the 1-minute load average.",
        "",
        "| command | limit [s] | wall [s] | target met | load before / after | summary |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["runs"]:
        lines.append(
            f"| `{row['command']}` | {row['limit_s']:g} | {row['wall_s']:.1f} | "
            f"{'yes' if row['met'] else '**no**'} | {row['load_before']:.1f} / "
            f"{row['load_after']:.1f} | {row['summary']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    runs = [run(flags, limit) for _, limit, flags in COMMANDS]
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "runs": runs,
    }
    harness.write_results(harness.HERE / "results" / "time-budget.json", results, page(results))
    print(page(results))


if __name__ == "__main__":
    main()
