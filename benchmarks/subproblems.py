"""Per-style subproblems of the decomposition: where their root gap is and what their solve costs.

For a sample of styles of a case (``decompose.py`` case names), each style's subproblem is priced
at the LP duals of the linking rows, as the first round of ``method="decompose"`` prices it, and
measured with HiGHS (``highspy``, the library PuLP's HiGHS uses) one at a time:

- its size, its LP bound, its LP bound in the program the decomposition now splits (after
  ``COVER_ROUNDS`` rounds of (l,S) separation on the whole LP, ``heuristics/cover_rounds.py``),
  the LP bound once every multi-order (l,S) inequality its own LP breaks is added (the style's
  (l,S) closure), and which integer families carry fractional LP values;
- its optimum to 1e-4 (the reference of every gap below);
- for each setting of ``SETTINGS`` (HiGHS options, plain or tightened block): wall time and
  proven bound at the decomposition's node limit (``SUBPROBLEM_NODES``), and time to 1e-4.

Run from the repository root (timed: unniced, under ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/subproblems.py --case spring-drop:15 --styles 0 4 8 12 16 20 24 28

Writes ``<out>/subproblems.json`` and ``<out>/subproblems.md``, rewritten after every style.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

from flexsupply.backends.result import HIGHS_LEAN_HEURISTICS  # noqa: E402

LEAN: dict[str, Any] = {**HIGHS_LEAN_HEURISTICS[0], **HIGHS_LEAN_HEURISTICS[1]}
"""HiGHS options of ``SolverOptions.heuristics=False`` (the baseline)."""
SETTINGS: dict[str, tuple[dict[str, Any], bool]] = {
    "plain block": (LEAN, False),
    "tightened block": (LEAN, True),
    "plain, no restart": (LEAN | {"mip_allow_restart": False}, False),
    "plain, no restart, no heuristic": (
        LEAN | {"mip_allow_restart": False, "mip_heuristic_run_root_reduced_cost": False},
        False,
    ),
}
"""Setting name → (HiGHS options, solve the tightened block instead of the plain one)."""
MAX_CUT_ROUNDS = 50
"""Rounds of (l,S) separation on a style's LP at most."""
SOLVE_LIMIT = 120.0
"""Safety net of each solve [seconds]."""


def priced_styles(case: str) -> tuple[Any, Any, list[Any], list[Any], np.ndarray]:
    """Returns the model map, the partition, its blocks, the tightened blocks, the LP duals.

    Both partitions relax the same rows in the same order (the separated rows stay inside
    styles), so both are priced at the plain program's LP duals.
    """
    from decompose import load_case

    from flexsupply.demand import demand_scenarios
    from flexsupply.heuristics.cover_rounds import tighten
    from flexsupply.model import build_program
    from flexsupply.solve.decompose.linking import partition, scaled
    from flexsupply.solve.decompose.relaxation import lp_relaxation
    from flexsupply.solve.decompose.subproblems import blocks_of

    scenario = load_case(case)
    program, model = build_program(scenario, demand_scenarios(scenario))
    parts = scaled(partition(program))
    tight = scaled(partition(tighten(program, model.cover).program))
    duals = lp_relaxation(parts.program, None).duals[parts.linking_rows]
    return model, parts, blocks_of(parts), blocks_of(tight), duals


def new_copy(program: Any, options: dict[str, Any], rows: list[tuple[Any, Any]]) -> Any:
    """Returns a HiGHS MIP copy of ``program`` with ``options`` and the extra ≤ 0 rows."""
    from flexsupply.heuristics.highs import HighsCopy

    copy = HighsCopy(program, integer=True)
    copy.set_option("mip_rel_gap", 1e-4)
    for key, value in options.items():
        copy.set_option(key, value)
    for index, values in rows:
        copy.highs.addRow(-np.inf, 0.0, len(index), index, values)
    return copy


def bound_of(copy: Any, maximize: bool) -> float:
    """Returns the proven bound of the last MIP solve in the program's sense [currency]."""
    bound = float(copy.highs.getInfo().mip_dual_bound)
    return -bound if maximize else bound


def style_row(
    model: Any, parts: Any, block: Any, tight: Any, style: int, duals: np.ndarray
) -> dict[str, Any]:
    """Measures one style's subproblem (see the module docstring); returns its row."""
    from flexsupply.heuristics.highs import HighsCopy
    from flexsupply.model.strengthen import cover_data, separate_cover_cuts
    from flexsupply.solve.decompose.method import SUBPROBLEM_NODES
    from flexsupply.solve.decompose.subproblems import priced_objective

    program = replace(block.program, objective=priced_objective(block, duals))
    tight_program = replace(tight.program, objective=priced_objective(tight, duals))
    sign = 1.0 if program.maximize else -1.0
    names = parts.program.column_names()
    family = [re.sub(r"\[.*", "", names[c]) for c in block.columns]
    local = np.full(parts.program.n_columns, -1, dtype=np.int64)
    local[block.columns] = np.arange(len(block.columns))

    lp = HighsCopy(program, integer=False)
    lp.run()
    x = lp.values()
    lp_bound = float(program.objective @ x)
    integer = np.flatnonzero(program.integer)
    fractional = integer[np.abs(x[integer] - np.round(x[integer])) > 1e-6]
    families = collections.Counter(family[j] for j in fractional)
    counts = collections.Counter(family[j] for j in integer)

    cover = cover_data(
        model.data,
        model.demand.units,
        model.orders.order,
        model.orders.switch,
        model.flows.inventory,
    )
    rows: list[tuple[Any, Any]] = []
    closure = lp_bound
    for _ in range(MAX_CUT_ROUNDS):
        full = np.zeros(parts.program.n_columns)
        full[block.columns] = x
        cuts = separate_cover_cuts(cover, full, products=np.array([style]))
        if not cuts.n_rows:
            break
        for k in range(cuts.n_rows):
            columns = cuts.columns[cuts.starts[k] : cuts.starts[k + 1]]
            values = cuts.values[cuts.starts[k] : cuts.starts[k + 1]]
            index = local[columns].astype(np.int32)
            lp.highs.addRow(-np.inf, 0.0, len(index), index, values)
            rows.append((index, values))
        lp.run()
        x = lp.values()
        closure = float(program.objective @ x)

    tight_lp = HighsCopy(tight_program, integer=False)
    tight_lp.run()
    tight_bound = float(tight_program.objective @ tight_lp.values())

    reference = new_copy(program, SETTINGS["plain, no restart"][0], [])
    began = time.perf_counter()
    reference.run(SOLVE_LIMIT)
    optimum = float(program.objective @ reference.values())

    def gap(bound: float) -> float:
        return sign * (bound - optimum) / max(abs(optimum), 1.0)

    row: dict[str, Any] = {
        "style": style,
        "rows": program.n_rows,
        "integers": int(program.integer.sum()),
        "optimum": optimum,
        "optimum_s": time.perf_counter() - began,
        "lp_gap": gap(lp_bound),
        "tightened_lp_gap": gap(tight_bound),
        "tightened_rows": tight_program.n_rows,
        "closure_gap": gap(closure),
        "cover_rows": len(rows),
        "fractional": {name: [families[name], counts[name]] for name in sorted(counts)},
        "settings": {},
    }
    for name, (options, tightened) in SETTINGS.items():
        measured: dict[str, Any] = {}
        for label, nodes in (("root", SUBPROBLEM_NODES), ("exact", None)):
            extra = {} if nodes is None else {"mip_max_nodes": nodes}
            copy = new_copy(tight_program if tightened else program, options | extra, [])
            began = time.perf_counter()
            copy.run(SOLVE_LIMIT)
            measured[f"{label}_s"] = time.perf_counter() - began
            measured[f"{label}_gap"] = gap(bound_of(copy, program.maximize))
            measured[f"{label}_nodes"] = int(copy.highs.getInfo().mip_node_count)
        row["settings"][name] = measured
    return row


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown summary of the results."""
    rows = results["rows"]
    lines = [
        f"# Per-style subproblems ({results['case']})",
        "",
        harness.machine_line(results),
        "",
        "Each style priced at the LP duals of the linking rows (the decomposition's first "
        "round), solved alone with highspy, one thread. Gaps are relative to the style's optimum "
        f"(1e-4); `{'`, `'.join(SETTINGS)}` are HiGHS settings (see the script); 'root' is the "
        "decomposition's node limit.",
        "",
        "| style | rows (tightened) | integers | load | LP gap | tightened LP gap "
        "| own (l,S) closure gap (rows) | fractional integers (family: fractional/all) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        fractional = ", ".join(f"{k}: {a}/{b}" for k, (a, b) in row["fractional"].items())
        lines.append(
            f"| {row['style']} | {row['rows']:,} ({row['tightened_rows']:,}) "
            f"| {row['integers']} | {row['load'][0]:.1f} | {row['lp_gap']:.2%} "
            f"| {row['tightened_lp_gap']:.2%} | {row['closure_gap']:.2%} ({row['cover_rows']}) "
            f"| {fractional} |"
        )
    lines += ["", "| style | setting | node-limit s | node-limit gap | to 1e-4 s | nodes |"]
    lines.append("|---|---|---:|---:|---:|---:|")
    for row in rows:
        for name, m in row["settings"].items():
            lines.append(
                f"| {row['style']} | {name} | {m['root_s']:.1f} | {m['root_gap']:.2%} "
                f"| {m['exact_s']:.1f} | {m['exact_nodes']} |"
            )
    lines += ["", "| setting | total node-limit s | mean node-limit gap | total to 1e-4 s |"]
    lines.append("|---|---:|---:|---:|")
    for name in SETTINGS:
        ms = [row["settings"][name] for row in rows]
        if ms:
            lines.append(
                f"| {name} | {sum(m['root_s'] for m in ms):.1f} "
                f"| {np.mean([m['root_gap'] for m in ms]):.2%} "
                f"| {sum(m['exact_s'] for m in ms):.1f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="spring-drop:15")
    parser.add_argument("--styles", nargs="*", type=int, default=[0, 4, 8, 12, 16, 20, 24, 28])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    harness.setup_worker()
    model, parts, blocks, tight, duals = priced_styles(args.case)
    results = harness.results_header(args.out, case=args.case, rows=[])
    for style in args.styles:
        load = list(os.getloadavg())
        block = int(np.flatnonzero(parts.block_style == style)[0])
        row = style_row(model, parts, blocks[block], tight[block], style, duals)
        row["load"] = load
        results["rows"].append(row)
        harness.write_results(args.out / "subproblems.json", results, page(results))
        print(f"style {style}: LP gap {row['lp_gap']:.2%}, closure {row['closure_gap']:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
