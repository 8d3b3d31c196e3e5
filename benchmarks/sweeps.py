"""Fix-and-optimise by style one group at a time against two at a time, side by side.

Builds a generated season (``season.py``, seed 0), takes the LP dive's plan, and runs
``PlanSearch.by_style`` from it once per variant, one after the other in this process:
``1`` (one group at a time), ``2`` (two at a time on two processes, ``sweeps.py``) and ``2t``
(two at a time, the first sweep grouping the styles that share the tightest rows); a variant
prefixed ``r`` runs up to ``RINS_ROUNDS`` RINS neighbourhood MIPs first (``rins.py``, from the
LP relaxation's solution), ``r`` alone only those, ``r1`` those then one group at a time. Every
sub-MIP stops on its node limit, so each variant's plan is exact whatever the load; the wall
times and the load average before each variant say how long it took. Run from the repository
root::

    .venv/bin/python benchmarks/sweeps.py --case 100x5x26x1 --variants 1 2 2t --sweeps 1

Writes ``<out>/sweeps.json`` and ``<out>/sweeps.md``.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

RINS_ROUNDS = 4
"""RINS rounds of the ``r`` variants, at most (the hybrid's ``HYBRID_RINS_ROUNDS``)."""


def run(case: str, variants: list[str], sweeps: int) -> list[dict[str, Any]]:
    """Returns one row per variant: plan after the sweeps, wall time and load before it."""
    from season import generate

    from flexsupply.backends import SolverOptions, get_backend
    from flexsupply.demand import demand_scenarios
    from flexsupply.heuristics.lp_dive import dive
    from flexsupply.model import build_program
    from flexsupply.solve.decompose.master import Patterns
    from flexsupply.solve.decompose.primal import PlanLimits, PlanSearch, SearchState
    from flexsupply.solve.decompose.relaxation import lp_relaxation

    p, s, t, w = (int(part) for part in case.split("x"))
    scenario = generate(products=p, suppliers=s, periods=t, scenarios=w, seed=0)
    program, _ = build_program(scenario, demand_scenarios(scenario))
    began = time.perf_counter()
    start = dive(program, math.inf)
    dive_s = time.perf_counter() - began
    assert start is not None, "the dive found no plan"
    relaxed = lp_relaxation(program, None).x
    rows = []
    for variant in variants:
        rins = RINS_ROUNDS if variant.startswith("r") else 0
        kind = variant.removeprefix("r")
        width, tight = int(kind.rstrip("t") or 0), kind.endswith("t")
        state = SearchState(start.copy(), program.value(start), math.inf)
        limits = PlanLimits(
            repairs=0,
            style_sweeps=sweeps if width else 0,
            style_width=max(width, 1),
            style_tight=tight,
            rins_rounds=rins,
        )
        search = PlanSearch(
            program,
            get_backend("ortools"),
            SolverOptions(gap=1e-4),
            (),
            state,
            Patterns.of(program),
            limits,
            math.inf,
            time.perf_counter,
            relaxed=relaxed,
        )
        load = list(os.getloadavg())
        began = time.perf_counter()
        search.rins()
        rins_plan, rins_s = state.value, time.perf_counter() - began
        search.by_style()
        rows.append(
            {
                "case": case,
                "variant": variant,
                "sweeps": sweeps,
                "start": program.value(start),
                "dive_s": dive_s,
                "rins_plan": rins_plan,
                "rins_s": rins_s,
                "plan": state.value,
                "wall_s": time.perf_counter() - began,
                "load_average": load,
            }
        )
        print(f"{variant}: {state.value:,.0f} in {rows[-1]['wall_s']:.1f} s", flush=True)
    return rows


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of ``results``."""
    lines = [
        "# The plan side from the dive: RINS and fix-and-optimise by style, one or two groups at a time",
        "",
        harness.machine_line(results),
        "",
        "| case | variant | sweeps | start | after RINS | RINS s | plan | wall s | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| {row['case']} | {row['variant']} | {row['sweeps']} | {row['start']:,.0f} | "
            f"{row.get('rins_plan', row['start']):,.0f} | {row.get('rins_s', 0.0):.0f} | "
            f"{row['plan']:,.0f} | {row['wall_s']:.0f} | {row['load_average'][0]:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the comparison and writes the results; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="100x5x26x1")
    parser.add_argument("--variants", nargs="+", default=["1", "2", "2t"])
    parser.add_argument("--sweeps", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    from build import machine

    results = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "rows": run(args.case, args.variants, args.sweeps),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    harness.write_results(args.out / "sweeps.json", results, page(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
