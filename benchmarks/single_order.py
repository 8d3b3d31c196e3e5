"""The repair's one-style-at-a-time sub-MIPs: plan after each, in two orders, on one round.

On spring-drop with 60 s only the first few of these sub-MIPs run (each is 2-6 CPU s), so
their order decides the plan. This runs one round of subproblems (``max_iterations=1``), the
repair's LP dives, then the sub-MIPs over the freed styles twice from the same plan: in
ascending style order (before) and in descending order of what the plan loses against the
Lagrangian plan on each style (``PlanSearch.losses``, now). It records the plan after each
sub-MIP and the CPU seconds so far. Every step stops on a work limit, so the plans do not
depend on the load; the CPU seconds do a little.

Run from the repository root (work-limited: niced is fine)::

    nice -n 15 .venv/bin/python benchmarks/single_order.py --case spring-drop:15

Writes ``<out>/single-order.json`` and ``<out>/single-order.md``.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

ORDERS = ("ascending", "by loss")
"""The orders compared: style number, and the loss against the Lagrangian plan."""


def repair_inputs(case: str) -> Any:
    """Returns the plan side of one round on ``case``, before any of its steps ran."""
    from decompose import load_case

    from flexsupply.backends import SolverOptions, get_backend
    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program
    from flexsupply.solve.decompose import DecomposeSettings, decompose, primal

    scenario = load_case(case)
    program, model = build_program(scenario, demand_scenarios(scenario))
    captured: list[Any] = []
    run = primal.PlanSearch.run
    primal.PlanSearch.run = lambda search: captured.append(search)  # type: ignore[method-assign,assignment]
    try:
        decompose(
            program,
            get_backend("ortools"),
            SolverOptions(gap=1e-4),
            None,
            settings=DecomposeSettings(max_iterations=1),
            cover=model.cover,
        )
    finally:
        primal.PlanSearch.run = run  # type: ignore[method-assign,assignment]
    return captured[0]


def trajectory(search: Any, order: str) -> dict[str, Any]:
    """Returns the plan after the repair's dives and after each one-style sub-MIP in ``order``."""
    from dataclasses import replace

    import numpy as np

    from flexsupply.solve.decompose.primal import PlanSearch

    search.limits = replace(search.limits, repair_nodes=0)  # the MIP over all freed styles: off
    steps: list[dict[str, float]] = []
    styles = search.styles()
    solve = styles.solve
    started = time.process_time()

    def recorded(free: Any, *rest: Any, **named: Any) -> Any:
        steps.append({"style": float(np.flatnonzero(free)[0]), "before": search.state.value})
        return solve(free, *rest, **named)

    styles.solve = recorded
    if order == "ascending":
        search.one_style_at_a_time = lambda free, solution=None: PlanSearch.one_style_at_a_time(
            search, free
        )
    search.repair()
    for k, step in enumerate(steps):
        step["after"] = steps[k + 1]["before"] if k + 1 < len(steps) else search.state.value
    return {
        "order": order,
        "styles": [int(step["style"]) for step in steps],
        "plans": [step["after"] for step in steps],
        "start": steps[0]["before"] if steps else math.nan,
        "cpu_s": time.process_time() - started,
    }


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    lines = [
        f"# One style at a time: order of the repair's sub-MIPs ({results['case']})",
        "",
        harness.machine_line(results),
        "",
        "One round of subproblems, the repair's LP dives, then one node-limited sub-MIP per "
        "freed style (the others at the best plan), from the same plan in both orders. Plan "
        "after k sub-MIPs [CNY]; work limits only, so the plans do not depend on the load.",
        "",
    ]
    rows = results["rows"]
    if not rows:
        return "\n".join(lines) + "\n"
    count = max(len(row["plans"]) for row in rows)
    lines.append("| order | after dives | " + " | ".join(f"k={k + 1}" for k in range(count)) + " |")
    lines.append("|---|---:|" + "---:|" * count)
    for row in rows:
        cells = [f"{value:,.0f}" for value in row["plans"]]
        lines.append(f"| {row['order']} | {row['start']:,.0f} | " + " | ".join(cells) + " |")
    lines.append("")
    for row in rows:
        styles = ", ".join(str(style) for style in row["styles"])
        lines.append(f"- {row['order']}: styles {styles}; {row['cpu_s']:.0f} CPU s")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="spring-drop:15")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    harness.setup_worker()
    results = harness.results_header(args.out, case=args.case, rows=[])
    search = repair_inputs(args.case)
    for order in ORDERS:
        row = trajectory(dataclasses.replace(search, state=copy.deepcopy(search.state)), order)
        row["load_average"] = list(os.getloadavg())
        results["rows"].append(row)
        harness.write_results(args.out / "single-order.json", results, page(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
