"""Two-stage stochastic plan of a season at 50, 100 and 200 demand scenarios, on both backends.

For each number of scenarios W (drawn with a fixed seed from the scenario's signal model, or
resampled from its demand scenarios) and each backend: model build time, solve time, status and
gap of the stochastic plan within the time limit, and its stochastic report (VSS against the
mean-demand plan, EVPI against wait-and-see). Target (issue 3): 100 scenarios to ≤ 1 % gap within
60 s on 2 cores with the default backend.

    .venv/bin/python benchmarks/stochastic.py [--scenario scenarios/spring-drop.yaml]
        [--sizes 50 100 200] [--backends ortools pulp] [--seconds 60] [--threads 2]

Writes ``benchmarks/results/stochastic.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path
from typing import Any

import flexsupply as fs
from flexsupply.backends import SolverOptions
from flexsupply.files import write_text_atomic
from flexsupply.model import build_program
from flexsupply.simulate import sample_demand
from flexsupply.stochastic import stochastic_report

HERE = Path(__file__).parent
ROOT = HERE.parent


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def measure(
    scenario: fs.Scenario, n: int, backend: str, seconds: float, threads: int, seed: int
) -> dict[str, Any]:
    demand, source = sample_demand(scenario, n, seed)
    started = time.perf_counter()
    program, _ = build_program(scenario, demand)
    build = time.perf_counter() - started
    row: dict[str, Any] = {
        "scenarios": n,
        "source": source,
        "backend": backend,
        "columns": program.n_columns,
        "rows": program.n_rows,
        "integers": int(program.integer.sum()),
        "build_seconds": round(build, 3),
    }
    options = SolverOptions(time_limit=seconds, gap=0.01, threads=threads)
    try:
        plan = fs.solve(
            scenario, backend, time_limit=seconds, gap=0.01, threads=threads, demand=demand
        )
    except fs.SolveError as error:
        return row | {"status": error.status, "error": str(error)}
    row |= {
        "status": plan.status,
        "solve_seconds": round(plan.seconds, 3),
        "objective": _number(plan.objective),
        "bound": _number(plan.bound),
        "gap": _number(plan.gap),
    }
    try:
        report = stochastic_report(
            scenario, backend, options=options, demand=demand, plan=plan, workers=threads
        )
    except fs.SolveError as error:
        return row | {"report_error": str(error)}
    return row | {
        "ev": _number(report.ev),
        "eev": _number(report.eev),
        "vss": _number(report.vss),
        "ws": _number(report.ws),
        "evpi": _number(report.evpi),
        "report_seconds": round(report.seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "spring-drop.yaml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--backends", nargs="+", default=["ortools", "pulp"])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "stochastic.json")
    args = parser.parse_args(argv)

    scenario = fs.load(args.scenario)
    rows = []
    for n in args.sizes:
        for backend in args.backends:
            row = measure(scenario, n, backend, args.seconds, args.threads, args.seed)
            rows.append(row)
            print(json.dumps(row), flush=True)
    results = {
        "scenario": str(
            args.scenario.relative_to(ROOT) if args.scenario.is_absolute() else args.scenario
        ),
        "products": len(scenario.products),
        "suppliers": len(scenario.suppliers),
        "periods": scenario.horizon.periods,
        "time_limit_seconds": args.seconds,
        "threads": args.threads,
        "gap_target": 0.01,
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.out, json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
