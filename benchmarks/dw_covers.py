"""Do covers of a factory week cut the Dantzig–Wolfe master's mix of per-style plans?

``capacity_covers.py`` asks this of the LP relaxation's point. The Lagrangian bound is the
value of a different point: the Dantzig–Wolfe master's, a mix (convex combination) of each
style's integral plans that holds the linking rows. Cuts across styles can move that bound
only if the mix breaks them. This script runs ``ROUNDS`` rounds of the bound side
(``decompose``, subproblems on local processes), keeps every round's per-style plans, adds
the LP dive's plan split by style (so the restricted master is feasible), solves the
restricted master LP (scipy's HiGHS)

    max Σ c_k·x_ki λ_ki   s.t.   Σ A_Lk x_ki λ_ki within the linking rows' bounds,
    Σ_i λ_ki = 1 for every style k,   λ ≥ 0,

and checks the capacity covers (``capacity_covers.closest_cover``) at its point
``Σ λ_ki x_ki``. Run from the repository root::

    .venv/bin/python benchmarks/dw_covers.py --cases 30x5x12x1 100x5x26x1 --rounds 5

Writes ``<out>/dw_covers.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

SAFETY_SECONDS = 3600.0
"""The decomposition's time limit: a safety net (with none, its plan side would end with the
engine on the whole program, unlimited); the rounds stop on their count."""


def master_point(program: Any, rounds: int) -> dict[str, Any]:
    """Returns the restricted master's point ``x`` (original columns) and its figures."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    from flexsupply.backends import SolverOptions, get_backend
    from flexsupply.heuristics.lp_dive import dive
    from flexsupply.solve.decompose import method

    stash: list[tuple[Any, list[Any], list[tuple[int, np.ndarray]]]] = []
    record = method._record

    def keep(parts: Any, blocks: list[Any], solutions: list[Any], *rest: Any) -> None:
        plans = [(s.block, s.x.copy()) for s in solutions if len(s.x)]
        stash.append((parts, blocks, plans))
        record(parts, blocks, solutions, *rest)

    method._record = keep
    settings = method.DecomposeSettings(
        max_iterations=rounds,
        bound_share=1.0,
        plan=method.PlanLimits(repairs=0, style_sweeps=0, neighbourhood_nodes=0, fix_sweeps=0),
    )
    began = time.perf_counter()
    result = method.decompose(
        program, get_backend("ortools"), SolverOptions(), SAFETY_SECONDS, settings=settings
    )
    seconds = time.perf_counter() - began
    parts, blocks = stash[-1][0], stash[-1][1]
    start = dive(program, math.inf)
    assert program.maximize, "a season's program maximises profit"
    assert start is not None, "the dive found no plan"
    extended = parts.extend(start)
    columns = [(k, extended[block.columns]) for k, block in enumerate(blocks)]
    columns += [plan for _, _, plans in stash for plan in plans]
    n, rows = len(columns), parts.linking_rows
    value = np.array([blocks[k].program.objective @ x for k, x in columns])
    link = np.column_stack([blocks[k].link @ x for k, x in columns])
    lower, upper = parts.program.row_lower[rows], parts.program.row_upper[rows]
    up, low = np.isfinite(upper), np.isfinite(lower)
    convex = sp.csr_matrix(
        (np.ones(n), ([k for k, _ in columns], np.arange(n))), shape=(len(blocks), n)
    )
    answer = linprog(
        -value,
        A_ub=sp.vstack([sp.csr_matrix(link[up]), -sp.csr_matrix(link[low])]),
        b_ub=np.concatenate([upper[up], -lower[low]]),
        A_eq=convex,
        b_eq=np.ones(len(blocks)),
        bounds=(0, None),
        method="highs",
    )
    assert answer.status == 0, answer.message
    weights = answer.x
    x = np.zeros(parts.program.n_columns)
    for weight, (k, plan) in zip(weights, columns, strict=True):
        x[blocks[k].columns] += weight * plan
    owner = np.array([k for k, _ in columns])
    mixed = sum(1 for k in range(len(blocks)) if weights[owner == k].max() < 1 - 1e-6)
    return {
        "x": x[: program.n_columns],
        "rounds": len(stash),
        "lagrangian_bound": result.extra["lagrangian_bound"],
        "master_lp": float(-answer.fun + parts.program.offset),
        "plans": n,
        "mixed_styles": mixed,
        "bound_side_s": seconds,
    }


def run(case: str, rounds: int) -> dict[str, Any]:
    """Returns one case's row: the master's figures and the covers its point breaks."""
    from capacity_covers import broken_covers
    from decompose import load_case

    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program

    scenario = load_case(case)
    program, _ = build_program(scenario, demand_scenarios(scenario))
    point = master_point(program, rounds)
    covers = broken_covers(program, point.pop("x"))
    row = {"case": case, **point, **covers}
    print(row, flush=True)
    return row


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of ``results``."""
    lines = [
        "# Covers of the factories' weeks at the Dantzig–Wolfe master's point",
        "",
        harness.machine_line(results),
        "",
        "The point breaks a cover's row when `Σ_K (1 − y)` is below 1.",
        "",
        "| case | rounds | plans | styles mixed | master LP | Lagrangian bound | "
        "capacity rows | rows with a broken cover | closest `Σ_K (1 − y)` | median |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| {row['case']} | {row['rounds']} | {row['plans']} | {row['mixed_styles']} | "
            f"{row['master_lp']:,.0f} | {row['lagrangian_bound']:,.0f} | "
            f"{row['capacity_rows']} | {row['rows_with_a_broken_cover']} | "
            f"{harness.cell(row['closest'], ',.3f')} | "
            f"{harness.cell(row['median_closest'], ',.3f')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the check on each case and writes the results; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["30x5x12x1"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "load_average": list(os.getloadavg()),
        "rows": [run(case, args.rounds) for case in args.cases],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    harness.write_results(args.out / "dw_covers.json", results, page(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
