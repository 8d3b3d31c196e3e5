"""How long `flexsupply simulate` takes for the static policy (issue 14: 200 samples ≤ 60 s).

The plan's first stage comes from ``flexsupply.solve`` with a time limit (the plan is not what is
measured); then ``simulate`` scores it on N fresh samples of the signal model without the
baselines: each sample's reorders are a one-scenario MILP with the first stage fixed, solved in
parallel processes. The time per sample and the projection to 200 samples are written with the
load average, since the 2 cores are shared.

    .venv/bin/python benchmarks/simulate_static.py --samples 20
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

TARGET_SAMPLES = 200
TARGET_SECONDS = 60.0
"""Within this long [seconds] ``TARGET_SAMPLES`` samples of the static policy must be scored."""


def measure(
    path: Path, samples: int, plan_limit: float, gap: float, workers: int
) -> dict[str, Any]:
    """Returns the timings of one static-policy simulation of the scenario at ``path``."""
    import flexsupply as fs
    from flexsupply.solve.settings import SolveSettings
    from flexsupply.solve.simulate import first_stage_from_orders, simulate

    scenario = fs.load(path)
    started = time.perf_counter()
    plan = fs.solve(scenario, time_limit=plan_limit, gap=0.01)
    plan_seconds = time.perf_counter() - started
    first = first_stage_from_orders(scenario, plan.orders)
    started = time.perf_counter()
    report = simulate(
        scenario,
        first,
        samples=samples,
        seed=0,
        settings=SolveSettings(gap=gap),
        workers=workers,
        baselines=False,
    )
    seconds = time.perf_counter() - started
    policy = report.policy("plan")
    per_sample = seconds / samples
    return {
        "scenario": str(path.relative_to(harness.ROOT)),
        "samples": samples,
        "workers": workers,
        "recourse_gap": gap,
        "plan_status": plan.status,
        "plan_seconds": round(plan_seconds, 1),
        "simulate_seconds": round(seconds, 1),
        "seconds_per_sample": round(per_sample, 3),
        "projected_200_seconds": round(per_sample * TARGET_SAMPLES, 1),
        "profit_mean": policy.stats("profit").mean,
        "infeasible_samples": policy.infeasible,
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
    }


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    row = results["row"]
    projected = row["projected_200_seconds"]
    verdict = (
        "met" if projected <= TARGET_SECONDS else f"missed by {projected / TARGET_SECONDS:.1f}×"
    )
    return "\n".join(
        [
            "# Static-policy simulation speed (issue 14)",
            "",
            harness.machine_line(results),
            "",
            f"`{row['scenario']}`: first stage from `flexsupply.solve` (time limit "
            f"{results['plan_limit']:g} s, 1 % gap; {row['plan_status']} in {row['plan_seconds']} "
            f"s, not counted), then `simulate` on {row['samples']} signal-model samples (seed 0) "
            f"without baselines, each sample's reorders a one-scenario MILP with the first stage "
            f"fixed, {row['recourse_gap']:.0%} gap, {row['workers']} worker processes.",
            "",
            "| samples | simulate s | s per sample | projected 200 samples s | infeasible samples |"
            " load average after |",
            "|---:|---:|---:|---:|---:|---|",
            f"| {row['samples']} | {row['simulate_seconds']} | {row['seconds_per_sample']} | "
            f"{projected} | {row['infeasible_samples']} | "
            f"{' / '.join(str(v) for v in row['load_average_after'])} |",
            "",
            f"Target: {TARGET_SAMPLES} samples ≤ {TARGET_SECONDS:g} s on 2 cores: **{verdict}**.",
            "",
        ]
    )


def main() -> None:
    """Runs the benchmark and writes ``results/simulate-static.json`` and ``.md``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scenario", type=Path, default=harness.ROOT / "scenarios/spring-drop.yaml"
    )
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--plan-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "plan_limit": args.plan_limit,
    }
    results["row"] = measure(
        args.scenario.resolve(), args.samples, args.plan_limit, args.gap, args.workers
    )
    harness.write_results(HERE / "results" / "simulate-static.json", results, page(results))
    print(page(results))


if __name__ == "__main__":
    main()
