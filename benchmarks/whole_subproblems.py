"""Can the per-style subproblems give whole orders cheaply? Continuous against integer orders.

For a generated season (``season.py``, seed 0) the program is partitioned by style and every
block (or a sample of ``--sample`` of them) is priced at the LP duals of the linking rows, as
the decomposition's first round is. Each block's MILP is then solved twice with HiGHS, one after
the other in this process: with its order quantities continuous (as the decomposition solves it
today) and with them integer (``options.integer_orders`` in the block only). Recorded per case:
the total and median solve time of each, their ratio, how many of the continuous answers
already order whole pieces, and the priced objectives' relative difference.

Run from the repository root (a timed run: unniced, under the short benchmark lock)::

    flock /tmp/bench.lock .venv/bin/python benchmarks/whole_subproblems.py \
        --cases 100x5x26x1 300x20x26x1 --sample 60

Writes ``<out>/whole-subproblems.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

GAP = 1e-4
"""Relative gap of each block MILP (the decomposition's sweep asks 1e-4)."""
SECONDS = 10.0
"""Time limit of each block MILP [seconds]."""
LP_SECONDS = 60.0
"""Longest LP relaxation for the duals [seconds]."""


def measure(name: str, sample: int) -> dict[str, Any]:
    """Returns the row of one season: both kinds of block MILP, side by side."""
    import numpy as np
    from decompose import load_case

    from flexsupply.demand import demand_scenarios
    from flexsupply.heuristics.highs import HighsCopy
    from flexsupply.model import build_program
    from flexsupply.solve.decompose.linking import partition, scaled
    from flexsupply.solve.decompose.relaxation import lp_relaxation
    from flexsupply.solve.decompose.subproblems import blocks_of, priced_objective

    scenario = load_case(name)
    program, model = build_program(scenario, demand_scenarios(scenario))
    parts = scaled(partition(program))
    duals = lp_relaxation(parts.program, LP_SECONDS).duals[parts.linking_rows]
    blocks = [block for block in blocks_of(parts)[:-1] if len(block.columns)]
    chosen = np.unique(np.linspace(0, len(blocks) - 1, min(sample, len(blocks))).astype(int))
    orders = model.orders.order[model.orders.order >= 0]
    times: dict[str, list[float]] = {"continuous": [], "integer": []}
    values: dict[str, list[float]] = {"continuous": [], "integer": []}
    whole = 0
    for k in chosen:
        block = blocks[int(k)]
        own = np.isin(block.columns, orders)
        priced = replace(block.program, objective=priced_objective(block, duals))
        for kind in ("continuous", "integer"):
            integer = block.program.integer | own if kind == "integer" else block.program.integer
            mip = HighsCopy(replace(priced, integer=integer), integer=True)
            mip.set_option("mip_rel_gap", GAP)
            began = time.perf_counter()
            found = mip.run(SECONDS)
            times[kind].append(time.perf_counter() - began)
            x = mip.values() if found else np.zeros(len(block.columns))
            values[kind].append(float(priced.objective @ x))
            if kind == "continuous" and found:
                quantity = x[own]
                whole += int(np.all(np.abs(quantity - np.round(quantity)) <= 1e-6))
    total = {kind: sum(seconds) for kind, seconds in times.items()}
    worth = sum(values["continuous"])
    return {
        "case": name,
        "styles": len(blocks),
        "sampled": len(chosen),
        "continuous_s": total["continuous"],
        "integer_s": total["integer"],
        "ratio": total["integer"] / max(total["continuous"], 1e-9),
        "continuous_median_s": statistics.median(times["continuous"]),
        "integer_median_s": statistics.median(times["integer"]),
        "already_whole": whole,
        "value_loss": (worth - sum(values["integer"])) / max(abs(worth), 1e-9),
    }


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown summary."""
    lines = [
        "# Block MILPs with continuous against integer orders",
        "",
        harness.machine_line(results),
        "",
        "| case | load | styles (sampled) | continuous s (median) | integer s (median) | "
        "ratio | continuous answers already whole | priced value lost |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| {row['case']} | {row['load_average'][0]:.1f} | {row['styles']} "
            f"({row['sampled']}) | {row['continuous_s']:.2f} ({row['continuous_median_s']:.3f}) | "
            f"{row['integer_s']:.2f} ({row['integer_median_s']:.3f}) | {row['ratio']:.2f}× | "
            f"{row['already_whole']} of {row['sampled']} | {100 * row['value_loss']:.3f} % |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the cases one after the other; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["100x5x26x1"])
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    harness.setup_worker()
    results = harness.results_header(args.out, rows=[])
    for name in args.cases:
        load = list(os.getloadavg())
        row = measure(name, args.sample) | {"load_average": load}
        results["rows"].append(row)
        harness.write_results(args.out / "whole-subproblems.json", results, page(results))
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
