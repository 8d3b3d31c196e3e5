"""How long the rolling policy takes (issue 14: K = 2 and 100 samples ≤ 10 min on 2 cores).

A few signal-model samples of the scenario are played under the rolling policy (replan every K
periods from the sample's actuals), in parallel processes; each replan (a stochastic solve of
the season left) stops after ``--replan-seconds`` with its best plan, the plays (first stage
fixed) are solved by style. The wall time, the time per sample and the projection to 100
samples are written with the load average. A short run: the full 100 would hold the shared
cores for hours at today's speed.

    flock /tmp/bench.lock .venv/bin/python benchmarks/simulate_rolling.py --plan out/plan.json
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

TARGET_SAMPLES = 100
TARGET_SECONDS = 600.0
"""Within this long [seconds] ``TARGET_SAMPLES`` rolling samples with K = 2 must be played."""


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Returns the timings of the rolling policy on a few samples."""
    import flexsupply as fs
    from flexsupply.solve.deadline import Deadline
    from flexsupply.solve.rolling import rolling_outcomes
    from flexsupply.solve.settings import SolveSettings
    from flexsupply.solve.simulate import read_plan_first_stage, sample_demand

    scenario = fs.load(args.scenario)
    first = read_plan_first_stage(scenario, args.plan)
    samples, _ = sample_demand(scenario, args.samples, args.seed)
    settings = SolveSettings(gap=args.gap)
    load_before = [round(v, 2) for v in os.getloadavg()]
    started = time.perf_counter()
    outcomes = rolling_outcomes(
        scenario,
        first,
        samples,
        args.every,
        settings,
        Deadline(args.limit),
        args.workers,
        replan_seconds=args.replan_seconds,
    )
    seconds = time.perf_counter() - started
    played = sum(o.has_plan for o in outcomes)
    replans = -(-scenario.horizon.periods // args.every) - 1
    return {
        "scenario": str(Path(args.scenario).resolve().relative_to(harness.ROOT)),
        "plan": str(args.plan),
        "every": args.every,
        "samples": args.samples,
        "played": played,
        "replans_per_sample": replans,
        "replan_seconds": args.replan_seconds,
        "workers": args.workers,
        "gap": args.gap,
        "seconds": round(seconds, 1),
        "seconds_per_sample": round(seconds / args.samples, 1),
        "projected_100_seconds": round(seconds / args.samples * TARGET_SAMPLES, 0),
        "profits": [harness.finite(o.profit) for o in outcomes],
        "statuses": [o.status for o in outcomes],
        "load_before": load_before,
        "load_after": [round(v, 2) for v in os.getloadavg()],
    }


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    row = results["row"]
    projected = row["projected_100_seconds"]
    verdict = (
        "met" if projected <= TARGET_SECONDS else f"missed by {projected / TARGET_SECONDS:.1f}×"
    )
    return "\n".join(
        [
            "# Rolling-policy simulation speed (issue 14)",
            "",
            harness.machine_line(results),
            "",
            f"`{row['scenario']}`, first stage from {row['plan']}: {row['samples']} signal-model "
            f"samples played with a replan every {row['every']} periods "
            f"({row['replans_per_sample']} replans a sample, each stopped after "
            f"{row['replan_seconds']} s with its best plan, {row['gap']:.0%} gap), plays by "
            f"style, {row['workers']} worker processes.",
            "",
            "| samples | played | seconds | s per sample | projected 100 samples s | load before"
            " / after |",
            "|---:|---:|---:|---:|---:|---|",
            f"| {row['samples']} | {row['played']} | {row['seconds']} | "
            f"{row['seconds_per_sample']} | {projected:,.0f} | "
            f"{' / '.join(map(str, row['load_before']))} → "
            f"{' / '.join(map(str, row['load_after']))} |",
            "",
            f"Target: {TARGET_SAMPLES} samples with K = 2 ≤ {TARGET_SECONDS:g} s on 2 cores: "
            f"**{verdict}**.",
            "",
        ]
    )


def main() -> None:
    """Runs the benchmark and writes ``results/simulate-rolling.json`` and ``.md``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scenario", type=Path, default=harness.ROOT / "scenarios/spring-drop.yaml"
    )
    parser.add_argument("--plan", type=Path, required=True, help="plan.json of the first stage")
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--replan-seconds", type=float, default=10.0)
    parser.add_argument("--limit", type=float, default=None, help="whole run [seconds]")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    results["row"] = measure(args)
    harness.write_results(HERE / "results" / "simulate-rolling.json", results, page(results))
    print(page(results))


if __name__ == "__main__":
    main()
