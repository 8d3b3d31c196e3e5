"""What the demand levers cost: model size and solve time with and without them, side by side.

``scenarios/levers-demo.yaml`` is solved as it is (**levers**) and with its ``levers`` block
removed (**plain**: demand only from the signals), on each engine, each solve in a fresh
process, and once more with ``--method decompose`` against ``monolithic`` on the levers season
(the marketing budget is then a linking row of the decomposition)::

    .venv/bin/python benchmarks/levers.py                      # ortools:scip and pulp:highs, 120 s
    .venv/bin/python benchmarks/levers.py --backends ortools:scip --seconds 60

Results go to ``results/levers.json`` and ``results/levers.md``, rewritten after each solve;
the page gives the levers/plain ratio of wall time per engine.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

import harness  # noqa: E402

SCENARIO = HERE.parent / "scenarios" / "levers-demo.yaml"
VARIANTS = ("levers", "plain", "levers-decompose")


def scenario_of(variant: str) -> Any:
    """Returns the demo season with (``levers*``) or without (``plain``) its levers block."""
    import flexsupply as fs

    scenario = fs.load(SCENARIO)
    if variant == "plain":
        return scenario.model_copy(update={"levers": None})
    return scenario


def measure(spec: str, variant: str, seconds: float) -> dict[str, Any]:
    """Builds and solves one variant in this process; returns its row."""
    harness.setup_worker()
    import time

    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program

    scenario = scenario_of(variant)
    started = time.perf_counter()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    row: dict[str, Any] = {"build_s": time.perf_counter() - started}
    row |= harness.program_record(program)
    if variant == "levers-decompose":
        import flexsupply as fs

        backend, engine = harness.parse_backend(spec)
        started = time.perf_counter()
        plan = fs.solve(
            scenario, backend, engine=engine, time_limit=seconds, method="decompose", workers=1
        )
        row |= {
            "status": plan.status,
            "objective": harness.finite(plan.objective),
            "bound": harness.finite(plan.bound),
            "gap": harness.finite(plan.gap),
            "wall_s": time.perf_counter() - started,
        }
        return row
    row |= harness.solve_record(scenario, spec, seconds, None)
    return row


def markdown(results: dict[str, Any]) -> str:
    """Returns the results as a Markdown page."""
    cell = harness.cell
    rows = results["rows"]
    lines = [
        "# Demand levers: model size and solve time",
        "",
        harness.machine_line(results),
        "",
        "`scenarios/levers-demo.yaml` (4 styles, 8 weeks, 4 demand scenarios) with its levers "
        "(4 campaigns, markdowns of 2 styles, clearance, repurchase) and without them; gap 1e-6, "
        f"{results['settings']['seconds']:g} s limit, each run in a fresh process. Seconds are "
        "wall time of the whole `flexsupply.solve` call.",
        "",
        "| engine | variant | columns | rows | integers | build s | status | wall s | objective "
        "| gap |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['engine_spec']} | {r['variant']} | {r.get('columns', '—')} "
            f"| {r.get('rows', '—')} | {r.get('integers', '—')} | {cell(r.get('build_s'), '.3f')} "
            f"| {r.get('status')} | {cell(r.get('wall_s'), '.1f')} "
            f"| {cell(r.get('objective'), ',.0f')} | {cell(r.get('gap'), '.2f', 100, ' %')} |"
        )
    lines += ["", "| engine | wall s levers / plain | decompose / monolithic |", "|---|---:|---:|"]
    for spec in results["settings"]["backends"]:
        by = {r["variant"]: r for r in rows if r["engine_spec"] == spec}
        levers, plain, split = (by.get(variant, {}).get("wall_s") for variant in VARIANTS)
        lines.append(
            f"| {spec} | {cell(levers / plain if levers and plain else None, '.2f')} "
            f"| {cell(split / levers if split and levers else None, '.2f')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark (or, with ``--worker``, one solve); returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["ortools:scip", "pulp:highs"])
    parser.add_argument("--seconds", type=float, default=120.0, help="time limit of every solve")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        answer, spec, variant, seconds = args.worker
        harness.write_worker_answer(answer, measure(spec, variant, float(seconds)))
        return 0
    for spec in args.backends:
        try:
            harness.parse_backend(spec)
        except ValueError as error:
            parser.error(str(error))
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"backends": args.backends, "seconds": args.seconds},
        "rows": [],
    }
    for spec in args.backends:
        for variant in VARIANTS:
            row: dict[str, Any] = {"engine_spec": spec, "variant": variant}
            flags = [spec, variant, str(args.seconds)]
            row |= harness.run_isolated(Path(__file__).resolve(), flags, 2 * args.seconds + 120)
            results["rows"].append(row)
            harness.write_results(args.out / "levers.json", results, markdown(results))
            print(
                f"{spec} {variant}: {row.get('status')} {row.get('wall_s') or 0:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
