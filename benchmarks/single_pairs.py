"""The repair's one-style re-plans one at a time against two at a time (``pairs.py``).

Runs one round of subproblems and the repair's LP dives (``single_order.repair_inputs``), then
the one-style sub-MIPs over the freed styles, in the order of what the plan loses on them,
from the same plan: one at a time, two at a time on two processes and two at a time on one;
then two at a time going on to every other style the plan loses on.
It records the plan after each batch that kept a better one, the sub-MIP batches, and the wall
and CPU seconds of this process. Every step stops on a work limit, so the plans do not depend
on the load (two at a time gives the same plan on 1 and 2 processes); the seconds do, and
compare the ways only when the machine has a core to spare.

Run from the repository root::

    .venv/bin/python benchmarks/single_pairs.py --case spring-drop:15

Writes ``<out>/single-pairs.json`` and ``<out>/single-pairs.md``.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

WAYS = {
    "one at a time": (1, 1, False),
    "two at a time, 2 processes": (2, 2, False),
    "two at a time, 1 process": (2, 1, False),
    "two at a time, 2 processes, then the rest": (2, 2, True),
}
"""Each way: ``PlanLimits.single_width``, ``single_processes`` and ``single_rest``."""


def after_dives(case: str) -> Any:
    """Returns the plan side of one round on ``case`` after the repair's dives."""
    from single_order import repair_inputs

    search = repair_inputs(case)
    search.limits = dataclasses.replace(search.limits, single_nodes=0, repair_nodes=0)
    search.repair()
    return search


def trajectory(search: Any, width: int, processes: int, rest: bool) -> dict[str, Any]:
    """Returns the plans the one-style re-plans keep, ``width`` at a time on ``processes``.

    With ``rest`` they go on to every other style the plan loses on (``single_rest``).
    """
    from flexsupply.solve.decompose import pairs

    limits = dataclasses.replace(
        search.limits,
        single_nodes=20,
        single_width=width,
        single_processes=processes,
        single_rest=rest,
    )
    search = dataclasses.replace(search, state=copy.deepcopy(search.state), limits=limits)
    solution = search.patterns.rounds[-1]
    start, wall, cpu = search.state.value, time.perf_counter(), time.process_time()
    plans: list[list[float]] = []
    batches: list[list[int]] = []
    keep, take = search.keep, pairs.next_batch

    def kept(x: Any, step: str) -> bool:
        better = bool(keep(x, step))
        plans.append([round(time.perf_counter() - wall, 1), search.state.value])
        return better

    def batch(queue: list[int], touches: Any, size: int) -> list[int]:
        batches.append(take(queue, touches, size))
        return batches[-1]

    search.keep, pairs.next_batch = kept, batch
    try:
        search.one_style_at_a_time(search.styles().to_free(solution), solution)
    finally:
        pairs.next_batch = take
        if search._pairs is not None:
            search._pairs.close()
    return {
        "start": start,
        "plan": search.state.value,
        "plans": plans,
        "batches": batches,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "load_average": list(os.getloadavg()),
    }


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    lines = [
        f"# One-style re-plans one or two at a time ({results['case']})",
        "",
        harness.machine_line(results),
        "",
        "One round, the repair's dives, then one 20-node sub-MIP per freed style (and, for "
        "the last row, per other style the plan loses on) in the order of what the plan loses "
        "on it, from the same plan [CNY]; work limits only.",
        "",
        "| way | load | after dives | plan | batches | wall s | CPU s (this process) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for way, row in results["rows"].items():
        lines.append(
            f"| {way} | {row['load_average'][0]:.1f} | {row['start']:,.0f} | {row['plan']:,.0f} "
            f"| {len(row['batches'])} | {row['wall_s']:.1f} | {row['cpu_s']:.1f} |"
        )
    lines.append("")
    for way, row in results["rows"].items():
        steps = ", ".join(f"{plan:,.0f} at {second:.0f} s" for second, plan in row["plans"])
        lines.append(f"- {way}: batches {row['batches']}; plans {steps}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="spring-drop:15")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    harness.setup_worker()
    results = harness.results_header(args.out, case=args.case, rows={})
    search = after_dives(args.case)
    for way, (width, processes, rest) in WAYS.items():
        results["rows"][way] = trajectory(search, width, processes, rest)
        harness.write_results(args.out / "single-pairs.json", results, page(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
