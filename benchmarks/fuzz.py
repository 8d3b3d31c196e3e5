"""The long fuzzing run of the scenario reader: thousands of mutated scenario files, counted.

Runs the seeded mutator of ``tests/fuzzing.py`` (the suite runs 300 of its cases) over the
bundled scenarios and templates and writes the counts to ``results/fuzz.json`` and
``results/fuzz.md``: cases accepted and refused per mutation, failures (any exception other than
``ScenarioError``, a problem without a line, a non-finite number accepted, a case over a second)
and the slowest case.

    .venv/bin/python benchmarks/fuzz.py [CASES] [SEED]     # default 4,050 cases, seed 0
"""

from __future__ import annotations

import collections
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fuzzing import CASE_SECONDS, MUTATIONS, SOURCES, cases, check_case  # noqa: E402
from harness import write_results  # noqa: E402

DEFAULT_CASES = 4050
"""Cases of a run: as many as the hostile-file probe of issue 15."""


def run(count: int, seed: int) -> dict[str, Any]:
    """Runs ``count`` cases from ``seed`` and returns the counts.

    Returns:
        ``cases``, ``seed``, ``results`` (accepted/refused/failed), ``by_mutation`` (the same per
        mutation a case used), ``failures`` (up to 20, with the mutation and the reason),
        ``slowest_s`` and ``mean_s`` [seconds] and ``wall_s`` [seconds].
    """
    started = time.perf_counter()
    outcomes = [check_case(case) for case in cases(count, seed)]
    by_mutation: dict[str, collections.Counter[str]] = {
        name: collections.Counter() for name in MUTATIONS
    }
    for outcome in outcomes:
        for name in set(outcome.case.mutation.split("+")):
            by_mutation[name][outcome.result] += 1
    return {
        "cases": count,
        "seed": seed,
        "sources": [path.name for path in SOURCES],
        "results": dict(collections.Counter(o.result for o in outcomes)),
        "by_mutation": {name: dict(counts) for name, counts in by_mutation.items()},
        "failures": [
            {"source": o.case.source, "mutation": o.case.mutation, "failure": o.failure}
            for o in outcomes
            if o.failure
        ][:20],
        "slowest_s": round(max(o.seconds for o in outcomes), 3),
        "mean_s": round(sum(o.seconds for o in outcomes) / count, 4),
        "case_limit_s": CASE_SECONDS,
        "wall_s": round(time.perf_counter() - started, 1),
        "python": platform.python_version(),
    }


def page(results: dict[str, Any]) -> str:
    """Returns the results as a Markdown page."""
    counts = results["results"]
    by_mutation = results["by_mutation"]
    lines = [
        "# Fuzzing the scenario reader",
        "",
        f"`benchmarks/fuzz.py {results['cases']} {results['seed']}`: {results['cases']:,} mutated "
        f"copies of {len(results['sources'])} bundled scenario files (`tests/fuzzing.py`).",
        "",
        "| outcome | cases |",
        "|---|---|",
        *(f"| {name} | {counts.get(name, 0):,} |" for name in ("accepted", "refused", "failed")),
        "",
        f"Slowest case {results['slowest_s']} s (limit {results['case_limit_s']} s), mean "
        f"{results['mean_s']} s, whole run {results['wall_s']} s.",
        "",
        "| mutation | accepted | refused | failed |",
        "|---|---|---|---|",
    ]
    for name, row in by_mutation.items():
        lines.append(
            f"| {name} | {row.get('accepted', 0):,} | {row.get('refused', 0):,} | "
            f"{row.get('failed', 0):,} |"
        )
    failures = results["failures"]
    lines += ["", "Failures:" if failures else "No failures."]
    lines += [f"- {f['source']} ({f['mutation']}): {f['failure']}" for f in failures]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Runs the benchmark and writes its results; returns 1 when a case failed."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CASES
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    results = run(count, seed)
    write_results(HERE / "results" / "fuzz.json", results, page(results))
    print(page(results))
    return 1 if results["results"].get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
