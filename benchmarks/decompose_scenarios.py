"""Spring-drop with many scenarios: one engine call against the decomposition, side by side.

At ``decompose_by_scenario.MIN_SCENARIOS`` scenarios and more, ``--method decompose`` splits
the season by scenario (``flexsupply/solve/decompose/by_scenario.py``). Each case runs every
method in a fresh process, one after the other, through ``decompose.py``'s worker (load
average recorded before each row), and writes ``<out>/decompose-scenarios.{json,md}``.

Run from the repository root (timed runs unniced, one at a time)::

    .venv/bin/python benchmarks/decompose_scenarios.py
    .venv/bin/python benchmarks/decompose_scenarios.py --cases spring-drop:100@30 --out /tmp/b
    .venv/bin/python benchmarks/decompose_scenarios.py --render --note NOTE.md  # page only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import decompose  # noqa: E402
import harness  # noqa: E402

CASES = ["spring-drop:100@120", "spring-drop:200@300"]
"""The issue's targets for many scenarios (``decompose.TARGETS``)."""
TITLE = "# Decomposition by scenario"


def main(argv: list[str] | None = None) -> int:
    """Runs the cases; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=CASES)
    parser.add_argument("--methods", nargs="+", default=list(decompose.METHODS))
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--note", type=Path, help="Markdown added under the table")
    parser.add_argument("--render", action="store_true", help="rewrite the page from the JSON")
    args = parser.parse_args(argv)
    note = args.note.read_text(encoding="utf-8") if args.note else ""
    path = args.out / "decompose-scenarios.json"
    if args.render:
        results = json.loads(path.read_text(encoding="utf-8"))
        harness.write_results(path, results, page(results, note))
        return 0
    results = harness.results_header(args.out, rows=[])
    for case in args.cases:
        name, seconds = case.split("@")
        for method in args.methods:
            load = list(os.getloadavg())
            row = harness.run_isolated(
                Path(decompose.__file__),
                ["solve", name, method, seconds],
                timeout=3 * float(seconds) + 300,
            )
            row |= {"case": name, "seconds": float(seconds), "method_asked": method}
            row["load_average"] = load
            results["rows"].append(row)
            harness.write_results(path, results, page(results, note))
            print(f"{name} {method}: {row.get('status')} gap {row.get('gap')}", flush=True)
    return 0


def page(results: dict[str, Any], note: str) -> str:
    """Returns the Markdown summary: ``decompose.page``'s table under this title, then ``note``."""
    table = decompose.page(results).split(decompose.CLOSING)[0].rstrip()
    body = table.replace(table.splitlines()[0], TITLE, 1)
    return body + "\n\n" + note.strip() + "\n"


if __name__ == "__main__":
    sys.exit(main())
