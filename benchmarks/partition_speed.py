"""``linking.partition`` against a scan per style (what it did before one sort), side by side.

For each generated season (``PxSxTxW``, seed 0) the program is built once, then the partition
is timed as it runs now and with its blocks found by one scan of the style tags per style (the
loop it replaced), and both blocks are checked equal. Run from the repository root::

    .venv/bin/python benchmarks/partition_speed.py --cases 500x10x52x1 2000x20x26x1 2000x20x26x2

Writes ``<out>/partition_speed.json`` and ``.md`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402


def scanned_blocks(parts: Any) -> tuple[list[Any], list[Any], float]:
    """Returns the blocks' columns and rows found by one scan per style (the old loops).

    Returns:
        ``(columns, rows, seconds of the scans alone)``; each row's style is found first, untimed.
    """
    from flexsupply.model.program import SHARED

    styles = parts.program.styles()
    inside = np.ones(parts.program.n_rows, dtype=bool)
    inside[parts.linking_rows] = False
    matrix = parts.program.matrix.tocsr()
    # A row inside a block has columns of one style at most: its highest tag is its style.
    tags = np.where(styles[matrix.indices] >= 0, styles[matrix.indices], SHARED)
    highest = np.full(parts.program.n_rows, SHARED, dtype=np.int64)
    np.maximum.at(highest, np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr)), tags)
    order = [*parts.block_style[:-1].tolist(), SHARED]
    started = time.perf_counter()
    columns = [np.flatnonzero(styles == s) for s in order]
    rows = [np.flatnonzero(inside & (highest == s)) for s in order]
    return columns, rows, time.perf_counter() - started


def measure(name: str) -> dict[str, Any]:
    """Builds one season and times both ways of finding its blocks [seconds]."""
    from decompose import load_case

    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program
    from flexsupply.solve.decompose.linking import partition

    scenario = load_case(name)
    program, _ = build_program(scenario, demand_scenarios(scenario))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    parts = partition(program)
    now = time.perf_counter() - started
    columns, rows, scan = scanned_blocks(parts)
    same = all(
        np.array_equal(a, b) for a, b in zip(columns, parts.block_columns, strict=True)
    ) and all(np.array_equal(a, b) for a, b in zip(rows, parts.block_rows, strict=True))
    return {
        "case": name,
        "load_average": load,
        "program": harness.program_record(program),
        "blocks": parts.n_blocks,
        "partition_s": now,
        "scan_per_style_s": scan,
        "same_blocks": bool(same),
    }


def page(results: dict[str, Any]) -> str:
    """Returns the results as Markdown."""
    lines = [
        "# linking.partition: one sort against a scan per style",
        "",
        harness.machine_line(results),
        "",
        "| case | load | rows | blocks | partition now s | the scan per style alone s | same |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| {row['case']} | {row['load_average']:.1f} | {row['program']['rows']:,} | "
            f"{row['blocks']:,} | {row['partition_s']:.2f} | {row['scan_per_style_s']:.2f} | "
            f"{'yes' if row['same_blocks'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measures the cases; returns 1 when some case's blocks differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["500x10x52x1", "2000x20x26x1"])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    results = harness.results_header(args.out, rows=[])
    for name in args.cases:
        row = measure(name)
        print(row, flush=True)
        results["rows"].append(row)
        harness.write_results(args.out / "partition_speed.json", results, page(results))
    return 0 if all(row["same_blocks"] for row in results["rows"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
