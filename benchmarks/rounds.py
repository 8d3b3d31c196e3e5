"""One round of the decomposition's subproblems: through the backend against highspy kept loaded.

For a case (``decompose.py`` case names) every block is priced at the LP duals of the linking
rows (round 1), then at the point the bundle method moves to (round 2, each block started from
its round-1 plan), and solved one after the other in this process, one thread, with the
decomposition's subproblem options (node limit ``SUBPROBLEM_NODES``, gap 1e-4), two ways:

- ``backend``: the block rebuilt and solved through the backend every round, MathOpt's HiGHS
  with ``SolverOptions.heuristics=False`` (the path before highspy);
- ``highspy``: ``solve_task``'s highspy path, the block kept loaded and re-priced,
  ``BLOCK_HIGHS_OPTIONS``.

Both in one run, so the ratio holds whatever the load. It records CPU seconds per round (the
load average changes wall time, not CPU time), the round's Lagrangian value (sum of bounds, a
valid bound on the program) and the value of the per-style plans at the prices (what the repair
starts from).

Run from the repository root (timed: unniced, under ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/rounds.py --cases spring-drop:15 30x5x12x1

Writes ``<out>/rounds.json`` and ``<out>/rounds.md``, rewritten after every case.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

PATHS = ("backend", "highspy")


def measure(case: str) -> dict[str, Any]:
    """Returns the two rounds' CPU seconds, bounds and plan values of each path on ``case``."""
    import numpy as np
    from decompose import load_case

    from flexsupply.backends import SolverOptions
    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program
    from flexsupply.solve.decompose import subproblems
    from flexsupply.solve.decompose.bundle import bundle_of
    from flexsupply.solve.decompose.linking import partition, scaled
    from flexsupply.solve.decompose.method import FIRST_STEP, SUBPROBLEM_NODES
    from flexsupply.solve.decompose.relaxation import lp_relaxation
    from flexsupply.solve.decompose.subproblems import Task, blocks_of, priced_objective
    from flexsupply.solve.decompose.subproblems import solve_task as solve

    on_highspy = subproblems.on_highspy
    scenario = load_case(case)
    program, _ = build_program(scenario, demand_scenarios(scenario))
    parts = scaled(partition(program))
    blocks = blocks_of(parts)
    bundle = bundle_of(parts, blocks)
    relaxed = lp_relaxation(parts.program, None)
    mu = bundle.feasible_start(relaxed.duals[parts.linking_rows])
    options = {
        "backend": ("ortools", SolverOptions(engine="highs", heuristics=False)),
        "highspy": ("pulp", SolverOptions(engine="highs")),
    }
    rows: dict[str, Any] = {"case": case, "load": list(os.getloadavg()), "rounds": []}
    starts: dict[str, list[Any]] = {path: [None] * len(blocks) for path in PATHS}
    for number in range(2):
        figures: dict[str, Any] = {}
        for path in PATHS:
            backend, chosen = options[path]
            chosen = replace(chosen, gap=1e-4, node_limit=SUBPROBLEM_NODES)
            # The backend path: what every subproblem took before highspy.
            subproblems.on_highspy = (lambda task: False) if path == "backend" else on_highspy
            began = time.process_time()
            solutions = [
                solve(b.program, Task(k, priced_objective(b, mu), backend, chosen, starts[path][k]))
                for k, b in enumerate(blocks)
            ]
            cpu = time.process_time() - began
            value = sum(s.bound for s in solutions) + bundle.h(mu) + parts.program.offset
            plans = sum(float(np.nan_to_num(s.objective)) for s in solutions)
            starts[path] = [s.x if len(s.x) else None for s in solutions]
            figures[path] = {"cpu_s": cpu, "bound": value, "plans": plans + bundle.h(mu)}
            print(f"{case} round {number + 1} {path}: {cpu:.1f} CPU s, bound {value:,.0f}")
            if path == "backend" and number == 0:
                for k, s in enumerate(solutions):
                    bundle.add_cut(
                        k,
                        float(blocks[k].program.objective @ s.x),
                        np.asarray(blocks[k].link @ s.x).ravel(),
                    )
                used = sum(
                    (blocks[k].link @ s.x for k, s in enumerate(solutions)),
                    start=np.zeros(len(parts.linking_rows)),
                )
                bundle.serious(mu, value, np.inf)
                bundle.set_step(bundle.first_step(mu, value, used, FIRST_STEP))
        subproblems.on_highspy = on_highspy
        rows["rounds"].append(figures)
        if number == 0:
            step = bundle.next_point()
            if step is None:
                break
            mu = step[0]
    return rows


def page(results: dict[str, Any]) -> str:
    """Returns the results as a Markdown page."""
    lines = [
        "# A round of subproblems: through the backend against highspy kept loaded",
        "",
        harness.machine_line(results),
        "",
        "Every block solved one after the other in one process, one thread, 20 nodes, gap 1e-4; "
        "CPU seconds (the load changes wall time, not CPU time). Round 2 re-prices the blocks "
        "at the bundle's next point, each started from its round-1 plan. 'incumbents' is the "
        "blocks' best plans at the prices plus the multipliers' constant: the Lagrangian "
        "value of the per-style plans the repair starts from (higher is better).",
        "",
        "| case | load | round | backend CPU s | highspy CPU s | ratio | backend bound "
        "| highspy bound | backend incumbents | highspy incumbents |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["rows"]:
        for number, figures in enumerate(row["rounds"]):
            a, b = figures["backend"], figures["highspy"]
            lines.append(
                f"| {row['case']} | {row['load'][0]:.1f} | {number + 1} | {a['cpu_s']:.1f} "
                f"| {b['cpu_s']:.1f} | {a['cpu_s'] / max(b['cpu_s'], 1e-9):.2f} "
                f"| {a['bound']:,.0f} | {b['bound']:,.0f} | {a['plans']:,.0f} | {b['plans']:,.0f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["spring-drop:15", "30x5x12x1"])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    harness.setup_worker()
    results = harness.results_header(args.out, rows=[])
    for case in args.cases:
        results["rows"].append(measure(case))
        harness.write_results(args.out / "rounds.json", results, page(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
