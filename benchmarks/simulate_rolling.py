"""How long the rolling policy takes (issue 14: K = 2 and 100 samples ≤ 10 min on 2 cores).

A few signal-model samples of the scenario are played under the rolling policy (replan every K
periods from the sample's actuals), in parallel processes; each replan (a stochastic solve of
the season left) is solved by style when that is proven within the gap, else as one MILP
(``rolling_replan``), and may stop after ``--replan-seconds`` with its best plan; the plays
(first stage fixed) are solved by style. One row per count of scenarios a replan keeps
(``--replan-scenarios``), on the same samples: the wall time, the time per sample, the
projection to 100 samples and the value of quick response (rolling − static profit, the static
policy on the same samples), with the load average.

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


def _static(args: argparse.Namespace) -> tuple[Any, Any, Any, list[float | None], float]:
    """Returns the scenario, its first stage, the samples, the static policy's profits and time."""
    import flexsupply as fs
    from flexsupply.solve.deadline import Deadline
    from flexsupply.solve.settings import SolveSettings
    from flexsupply.solve.simulate import read_plan_first_stage, sample_demand
    from flexsupply.solve.stochastic import solve_each

    scenario = fs.load(args.scenario)
    first = read_plan_first_stage(scenario, args.plan)
    samples, _ = sample_demand(scenario, args.samples, args.seed)
    started = time.perf_counter()
    static = solve_each(
        scenario, samples, first, SolveSettings(gap=args.gap), Deadline(None), args.workers
    )
    seconds = time.perf_counter() - started
    return scenario, first, samples, [harness.finite(o.profit) for o in static], seconds


def measure(
    args: argparse.Namespace, prepared: tuple[Any, Any, Any, list[float | None], float], kept: int
) -> dict[str, Any]:
    """Returns the timings of the rolling policy on a few samples, ``kept`` scenarios a replan."""
    from flexsupply.solve.deadline import Deadline
    from flexsupply.solve.rolling import rolling_outcomes
    from flexsupply.solve.settings import SolveSettings

    scenario, first, samples, static, _ = prepared
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
        replan_scenarios=kept,
    )
    seconds = time.perf_counter() - started
    played = sum(o.has_plan for o in outcomes)
    replans = -(-scenario.horizon.periods // args.every) - 1
    gains = [
        o.profit - s for o, s in zip(outcomes, static, strict=True) if o.has_plan and s is not None
    ]
    return {
        "scenario": str(Path(args.scenario).resolve().relative_to(harness.ROOT)),
        "plan": str(args.plan),
        "every": args.every,
        "samples": args.samples,
        "replan_scenarios": kept,
        "played": played,
        "replans_per_sample": replans,
        "replan_seconds": args.replan_seconds,
        "workers": args.workers,
        "gap": args.gap,
        "seconds": round(seconds, 1),
        "seconds_per_sample": round(seconds / args.samples, 1),
        "projected_100_seconds": round(seconds / args.samples * TARGET_SAMPLES, 0),
        "value_of_quick_response": round(sum(gains) / len(gains), 1) if gains else None,
        "profits": [harness.finite(o.profit) for o in outcomes],
        "statuses": [o.status for o in outcomes],
        "load_before": load_before,
        "load_after": [round(v, 2) for v in os.getloadavg()],
    }


def _verdict(projected: float) -> str:
    if projected <= TARGET_SECONDS:
        return "met"
    return f"missed by {projected / TARGET_SECONDS:.1f}×"


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    rows = results["rows"]
    first = rows[0]
    limit = first["replan_seconds"]
    stop = "no clock limit" if limit is None else f"each stopped after {limit} s"
    lines = [
        "# Rolling-policy simulation speed (issue 14)",
        "",
        harness.machine_line(results),
        "",
        f"`{first['scenario']}`, first stage from {first['plan']}: {first['samples']} "
        f"signal-model samples played with a replan every {first['every']} periods "
        f"({first['replans_per_sample']} replans a sample, {stop}, {first['gap']:.0%} gap), "
        f"replans and plays by style (whole MILP when not proven), {first['workers']} worker "
        f"processes. Static policy on the same samples: {results['static_seconds']} s. "
        "Value of quick response: mean rolling − static profit per sample [CNY].",
        "",
        "| scenarios a replan | samples | played | seconds | s per sample | projected 100 samples"
        " s | target | quick response | load before / after |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for row in rows:
        projected = row["projected_100_seconds"]
        gain = row["value_of_quick_response"]
        lines.append(
            f"| {row['replan_scenarios']} | {row['samples']} | {row['played']} | {row['seconds']} "
            f"| {row['seconds_per_sample']} | {projected:,.0f} | {_verdict(projected)} | "
            f"{'–' if gain is None else format(gain, ',.0f')} | "
            f"{' / '.join(map(str, row['load_before']))} → "
            f"{' / '.join(map(str, row['load_after']))} |"
        )
    if len(rows) > 1:
        base = rows[-1]["seconds"]
        ratios = ", ".join(
            f"{row['replan_scenarios']}: {row['seconds'] / base:.2f}" for row in rows[:-1]
        )
        lines += ["", f"Time against {rows[-1]['replan_scenarios']} scenarios a replan: {ratios}."]
    lines += [
        "",
        f"Target: {TARGET_SAMPLES} samples with K = 2 ≤ {TARGET_SECONDS:g} s on 2 cores.",
        "",
    ]
    return "\n".join(lines)


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
    parser.add_argument("--replan-seconds", type=float, default=None)
    parser.add_argument(
        "--replan-scenarios",
        default="5,15",
        help="comma-separated scenario counts a replan keeps, one row each (last: the ratio base)",
    )
    parser.add_argument("--limit", type=float, default=None, help="whole run [seconds]")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    prepared = _static(args)
    results["static_seconds"] = round(prepared[4], 1)
    results["rows"] = [measure(args, prepared, int(k)) for k in args.replan_scenarios.split(",")]
    harness.write_results(HERE / "results" / "simulate-rolling.json", results, page(results))
    print(page(results))


if __name__ == "__main__":
    main()
