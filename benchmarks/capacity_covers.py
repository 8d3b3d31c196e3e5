"""Would cover inequalities across styles on a factory's week cut the LP relaxation off?

Each factory-week capacity row ``Σ use·x + setup·y ≤ C`` joins every style the factory makes.
With ``x ≥ m·y`` (the order's minimum, rows ``order_min_*``), a switched-on order takes at
least ``w = setup + use·m`` of the week, so ``Σ w·y ≤ C`` is a valid knapsack over the styles'
order switches, and every cover ``K`` (``Σ_K w > C``) gives the valid row
``Σ_K y ≤ |K| − 1`` (with a supplier to onboard, ``C`` is its capacity once selected). For each capacity row this script finds, exactly (a small MILP), the cover
whose row the LP relaxation's solution comes closest to breaking: ``min Σ_K (1 − y)`` over
covers ``K`` (the LP breaks that cover's row when it is below 1), and reports how many rows
have a broken cover and the smallest such sum. Run from the repository root::

    .venv/bin/python benchmarks/capacity_covers.py --cases 100x5x26x1 30x5x12x1

Writes ``<out>/capacity_covers.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402


def closest_cover(weights: np.ndarray, y: np.ndarray, capacity: float) -> float:
    """Returns ``min Σ_K (1 − y)`` over covers ``K`` of ``Σ weights·z ≤ capacity`` (inf: none)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    if weights.sum() <= capacity:
        return float("inf")
    answer = milp(
        c=1.0 - y,
        constraints=LinearConstraint(weights[None, :], lb=capacity + 1e-6),
        integrality=np.ones(len(y)),
        bounds=Bounds(0.0, 1.0),
    )
    return float(answer.fun) if answer.success else float("inf")


def broken_covers(program: Any, x: np.ndarray) -> dict[str, Any]:
    """Returns, over ``program``'s capacity rows, how many have a cover that ``x`` breaks.

    Returns:
        ``capacity_rows``, ``rows_with_a_cover``, ``rows_with_a_broken_cover``, and the
        smallest and median ``min Σ_K (1 − y)`` over the rows with a cover (None: none).
    """
    matrix = program.matrix.tocsr()
    minimum: dict[int, tuple[int, float]] = {}
    for name, block in program.row_blocks.items():
        if not name.startswith("order_min"):
            continue
        for row in block.indices().ravel():
            cols, values = matrix[row].indices, matrix[row].data
            minimum[int(cols[values < 0][0])] = (int(cols[values > 0][0]), -values[values < 0][0])
    closest, broken, rows = [], 0, 0
    for name, block in program.row_blocks.items():
        if not name.startswith("capacity"):
            continue
        for row in block.indices().ravel():
            coef = dict(zip(matrix[row].indices.tolist(), matrix[row].data.tolist(), strict=True))
            switches = [s for s in minimum if s in coef]
            if not switches:
                continue
            rows += 1
            weights = np.array(
                [coef[s] + coef.get(minimum[s][0], 0.0) * minimum[s][1] for s in switches]
            )
            # A supplier to onboard brings its capacity through ``−C·select`` (row bound 0).
            room = program.row_upper[row] - sum(
                value * program.col_upper[col] for col, value in coef.items() if value < 0
            )
            value = closest_cover(weights, x[switches], room)
            closest.append(value)
            broken += value < 1.0 - 1e-6
    finite = [value for value in closest if np.isfinite(value)]
    return {
        "capacity_rows": rows,
        "rows_with_a_cover": len(finite),
        "rows_with_a_broken_cover": broken,
        "closest": min(finite) if finite else None,
        "median_closest": float(np.median(finite)) if finite else None,
    }


def run(case: str) -> dict[str, Any]:
    """Returns one case's row: capacity rows, rows with a broken cover, the closest cover."""
    from decompose import load_case

    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program
    from flexsupply.solve.decompose.relaxation import lp_relaxation

    scenario = load_case(case)
    program, _ = build_program(scenario, demand_scenarios(scenario))
    began = time.perf_counter()
    x = lp_relaxation(program, None).x
    lp_s = time.perf_counter() - began
    row = {
        "case": case,
        **broken_covers(program, x),
        "lp_bound": program.value(x),
        "lp_s": lp_s,
    }
    print(row, flush=True)
    return row


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of ``results``."""
    lines = [
        "# Cover inequalities across styles on the factories' weeks, at the LP relaxation",
        "",
        harness.machine_line(results),
        "",
        "The LP breaks a cover's row when `Σ_K (1 − y)` is below 1.",
        "",
        "| case | capacity rows | rows with a cover | rows with a broken cover | "
        "closest `Σ_K (1 − y)` | median | LP bound |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| {row['case']} | {row['capacity_rows']} | {row['rows_with_a_cover']} | "
            f"{row['rows_with_a_broken_cover']} | {harness.cell(row['closest'], ',.3f')} | "
            f"{harness.cell(row['median_closest'], ',.3f')} | {row['lp_bound']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the check on each case and writes the results; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["100x5x26x1"])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "load_average": list(os.getloadavg()),
        "rows": [run(case) for case in args.cases],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    harness.write_results(args.out / "capacity_covers.json", results, page(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
