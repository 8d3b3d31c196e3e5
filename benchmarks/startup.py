"""Start-up time of the ``flexsupply`` command, as a ratio to ``python -c "import click"``.

Each round runs every command once, in turn, as a fresh process, so that a busy moment of the
shared machine hits all of them alike; the median over the rounds is compared with the median
of the baseline measured in the same run. Targets (issue "The planner's workbook and the ERP's
data"): at most 3x the baseline for ``--version`` and ``--help``, at most 6x for ``validate``
of the demo scenario.

    .venv/bin/python benchmarks/startup.py [--rounds 15]

Writes ``results/startup.json`` and ``results/startup.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from build import machine

RESULTS = harness.HERE / "results" / "startup.json"
DEMO = harness.ROOT / "scenarios" / "spring-drop.yaml"
TARGETS = {"--version": 3.0, "--help": 3.0, "validate": 6.0}
HEAVY = ("numpy", "scipy", "pydantic")


def commands(workbook: Path) -> dict[str, list[str]]:
    """Returns the commands timed, by label; the first is the baseline."""
    python = sys.executable
    cli = str(Path(python).parent / "flexsupply")
    return {
        "import click": [python, "-c", "import click"],
        "--version": [cli, "--version"],
        "--help": [cli, "--help"],
        "validate": [cli, "validate", str(DEMO)],
        "validate (xlsx)": [cli, "validate", str(workbook)],
    }


def heavy_imports(args: list[str]) -> list[str]:
    """Returns which of numpy, scipy and pydantic the command's process imports."""
    code = (
        "import sys\nfrom flexsupply.cli import main\n"
        f"try:\n    main({args!r}, prog_name='flexsupply')\nexcept SystemExit:\n    pass\n"
        f"print('heavy:' + ','.join(n for n in {HEAVY!r} if n in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    marked = [line for line in done.stdout.splitlines() if line.startswith("heavy:")]
    return [name for name in marked[-1].removeprefix("heavy:").split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    import flexsupply as fs
    from flexsupply.scenario.workbook import write_workbook

    with tempfile.TemporaryDirectory() as folder:
        workbook = write_workbook(fs.load(DEMO), Path(folder) / "spring-drop.xlsx")
        timed = commands(workbook)
        seconds: dict[str, list[float]] = {label: [] for label in timed}
        started_load = list(os.getloadavg())
        for _ in range(args.rounds):
            for label, command in timed.items():
                start = time.perf_counter()
                subprocess.run(command, capture_output=True, check=True, cwd=harness.ROOT)
                seconds[label].append(time.perf_counter() - start)
        imported = {
            label: heavy_imports(command[1:])
            for label, command in timed.items()
            if label != "import click"
        }
    baseline = statistics.median(seconds["import click"])
    rows = []
    for label, values in seconds.items():
        median = statistics.median(values)
        target = TARGETS.get(label)
        rows.append(
            {
                "command": label,
                "median_s": median,
                "min_s": min(values),
                "ratio": median / baseline,
                "target_ratio": target,
                "met": None if target is None else median / baseline <= target,
                "imports": imported.get(label),
            }
        )
    info = machine()
    info["load_average_at_end"] = list(os.getloadavg())
    info["load_average_at_start"] = started_load
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "settings": {"rounds": args.rounds, "demo": str(DEMO.relative_to(harness.ROOT))},
        "rows": rows,
    }
    harness.write_results(RESULTS, results, page(results))
    print(page(results))


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    lines = [
        "# Start-up time of the command line",
        "",
        harness.machine_line(results)
        + " · at end "
        + " / ".join(f"{value:.1f}" for value in results["machine"]["load_average_at_end"]),
        "",
        f"Median of {results['settings']['rounds']} rounds, each command a fresh process, the "
        'rounds interleaved; ratio to `python -c "import click"` in the same run. `validate` '
        f"checks `{results['settings']['demo']}`; `validate (xlsx)` the same scenario as a "
        "workbook (no target).",
        "",
        "| command | median [ms] | fastest [ms] | ratio | target | met | imports of numpy, scipy, pydantic |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in results["rows"]:
        target = "—" if row["target_ratio"] is None else f"≤ {row['target_ratio']:g}×"
        met = {None: "—", True: "yes", False: "no"}[row["met"]]
        imports = "—" if row["imports"] is None else (", ".join(row["imports"]) or "none")
        lines.append(
            f"| {row['command']} | {1000 * row['median_s']:.0f} | {1000 * row['min_s']:.0f} | "
            f"{row['ratio']:.2f}× | {target} | {met} | {imports} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
