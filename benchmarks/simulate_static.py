"""How long `flexsupply simulate` takes for the static policy (issue 14: 200 samples ≤ 60 s).

The plan's first stage comes from a ``plan.json`` (``--plan``, e.g. written by
``flexsupply solve scenarios/spring-drop.yaml --out-dir out``) or from ``flexsupply.solve``
with a time limit; the plan is not what is measured. Then ``simulate`` scores it on N fresh
samples of the signal model without the baselines, in parallel processes:

- **by style** (the default, ``--method auto``): each sample's recourse split by style, the
  split proven by its Lagrangian bound, the whole MILP only when not proven;
- **whole MILP** (``--method monolithic``, the method before): each sample one MILP with the
  first stage fixed.

Both run side by side on the same first few samples (time ratio, largest profit difference);
then the by-style method runs the N samples. With ``--baseline REV`` the N samples run a second
time, right after, with the flexsupply of commit REV (``git archive`` into a temporary folder,
imported in a child process): the speed-up of this code against that one in the same run, on
the same samples, and the largest difference of their per-sample profits. The load average is
written with the figures, since the 2 cores are shared.

    flock /tmp/bench.lock .venv/bin/python benchmarks/simulate_static.py --plan out/plan.json \
        --baseline 47ecc6f
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

TARGET_SAMPLES = 200
TARGET_SECONDS = 60.0
"""Within this long [seconds] ``TARGET_SAMPLES`` samples of the static policy must be scored."""


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def _run(scenario: Any, first: Any, demand: Any, method: str, gap: float, workers: int) -> Any:
    """Returns ``(report, wall seconds, CPU seconds of this process)`` of one simulation."""
    from flexsupply.solve.settings import SolveSettings
    from flexsupply.solve.simulate import simulate

    started, cpu = time.perf_counter(), time.process_time()
    report = simulate(
        scenario,
        first,
        demand=demand,
        settings=SolveSettings(gap=gap, method=method),
        workers=workers,
        baselines=False,
    )
    return report, time.perf_counter() - started, time.process_time() - cpu


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Returns the side-by-side and the N-sample timings on the scenario at ``args.scenario``."""
    import numpy as np

    import flexsupply as fs
    from flexsupply.demand import DemandScenarios
    from flexsupply.solve.simulate import (
        first_stage_from_orders,
        read_plan_first_stage,
        sample_demand,
    )

    scenario = fs.load(args.scenario)
    started = time.perf_counter()
    if args.plan is not None:
        first, plan_from = read_plan_first_stage(scenario, args.plan), str(args.plan)
    else:
        plan = fs.solve(scenario, time_limit=args.plan_limit, gap=0.01)
        first = first_stage_from_orders(scenario, plan.orders)
        plan_from = f"flexsupply.solve, {args.plan_limit:g} s limit, {plan.status}"
    plan_seconds = time.perf_counter() - started
    samples, _ = sample_demand(scenario, args.samples, args.seed)
    n = args.compare
    few = DemandScenarios(samples.units[:n], np.full(n, 1.0 / n), samples.names[:n])
    side: dict[str, Any] = {"samples": n, "load_before": _load()}
    profits = {}
    # In this process, one sample after the other: CPU seconds per sample do not depend on
    # how many other jobs share the cores, so they project to an idle machine.
    for label, method in (("whole", "monolithic"), ("by_style", "auto")):
        report, seconds, cpu = _run(scenario, first, few, method, args.gap, 1)
        side[f"{label}_seconds"] = round(seconds, 2)
        side[f"{label}_cpu_per_sample"] = round(cpu / n, 3)
        profits[label] = report.policy("plan").profits
    side["ratio"] = round(side["whole_cpu_per_sample"] / side["by_style_cpu_per_sample"], 1)
    difference = np.abs(profits["by_style"] - profits["whole"]) / np.abs(profits["whole"])
    side["max_relative_profit_difference"] = float(np.max(difference))
    side["by_style_minus_whole_mean"] = round(
        float(np.mean(profits["by_style"] - profits["whole"])), 2
    )
    side["load_after"] = _load()
    side["projected_idle_200_seconds"] = round(
        TARGET_SAMPLES * side["by_style_cpu_per_sample"] / args.workers, 1
    )
    row = {
        "scenario": str(Path(args.scenario).resolve().relative_to(harness.ROOT)),
        "plan": plan_from,
        "plan_seconds": round(plan_seconds, 1),
        "gap": args.gap,
        "workers": args.workers,
        "side_by_side": side,
        "run": sample_run(scenario, first, samples, args),
    }
    if args.baseline:
        row["baseline"] = baseline_run(args)
        row["baseline"]["ratio"] = round(row["baseline"]["seconds"] / row["run"]["seconds"], 2)
        ours = np.array(row["run"]["profits"], dtype=float)
        theirs = np.array(row["baseline"]["profits"], dtype=float)
        row["baseline"]["max_relative_profit_difference"] = float(
            np.nanmax(np.abs(ours - theirs) / np.abs(theirs))
        )
    return row


def sample_run(scenario: Any, first: Any, samples: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Returns the timing and the profits of the by-style method on every sample."""
    load_before = _load()
    report, seconds, _ = _run(scenario, first, samples, "auto", args.gap, args.workers)
    policy = report.policy("plan")
    profit = policy.stats("profit")
    return {
        "samples": args.samples,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "seconds_per_sample": round(seconds / args.samples, 3),
        "profit_mean": round(profit.mean, 2),
        "infeasible_samples": policy.infeasible,
        "unsolved_samples": policy.unsolved,
        "load_before": load_before,
        "load_after": _load(),
        "profits": [round(float(v), 4) for v in policy.profits],
    }


def baseline_run(args: argparse.Namespace) -> dict[str, Any]:
    """Returns ``sample_run`` of the flexsupply of commit ``args.baseline``, in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "archive", args.baseline, "flexsupply"],
            cwd=harness.ROOT,
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        command = [sys.executable, __file__, "--only-run", "--scenario", str(args.scenario)]
        command += ["--plan", str(args.plan), "--samples", str(args.samples)]
        command += ["--seed", str(args.seed), "--gap", str(args.gap)]
        command += ["--workers", str(args.workers)]
        child = subprocess.run(
            command,
            cwd=folder,
            env={**os.environ, "PYTHONPATH": folder},
            capture_output=True,
            text=True,
            check=True,
        )
    found: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    found["commit"] = args.baseline
    return found


def only_run(args: argparse.Namespace) -> None:
    """Prints ``sample_run`` as one JSON line (the child process of ``baseline_run``)."""
    import flexsupply as fs
    from flexsupply.solve.simulate import read_plan_first_stage, sample_demand

    scenario = fs.load(args.scenario)
    first = read_plan_first_stage(scenario, args.plan)
    samples, _ = sample_demand(scenario, args.samples, args.seed)
    print(json.dumps(sample_run(scenario, first, samples, args)))


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    row = results["row"]
    side, run = row["side_by_side"], row["run"]
    projected = run["seconds"] * TARGET_SAMPLES / run["samples"]
    verdict = (
        "met" if projected <= TARGET_SECONDS else f"missed by {projected / TARGET_SECONDS:.1f}×"
    )

    def load(values: list[float]) -> str:
        return " / ".join(str(v) for v in values)

    return "\n".join(
        [
            "# Static-policy simulation speed (issue 14)",
            "",
            harness.machine_line(results),
            "",
            f"`{row['scenario']}`: first stage from {row['plan']} (not timed), then `simulate` "
            f"on signal-model samples (seed {run['seed']}) without baselines, "
            f"{row['gap']:.0%} gap, {row['workers']} worker processes. *by style*: each "
            "sample's recourse split by style and proven by its Lagrangian bound (the whole "
            "MILP only where not proven); *whole MILP*: the method before, one MILP a sample.",
            "",
            f"Side by side on the first {side['samples']} samples, in one process (CPU "
            "seconds per sample hardly depend on the load):",
            "",
            "| method | wall s | CPU s per sample | ratio (CPU) | largest profit difference |"
            " load before / after |",
            "|---|---:|---:|---:|---:|---|",
            f"| whole MILP | {side['whole_seconds']} | {side['whole_cpu_per_sample']} | 1 | – | "
            f"{load(side['load_before'])} |",
            f"| by style | {side['by_style_seconds']} | {side['by_style_cpu_per_sample']} | "
            f"{side['ratio']}× less | {side['max_relative_profit_difference']:.2e} (mean by "
            f"style − whole {side['by_style_minus_whole_mean']:+,.2f}) | "
            f"{load(side['load_after'])} |",
            "",
            f"On an idle machine, {TARGET_SAMPLES} samples by style would take about "
            f"{TARGET_SAMPLES} × {side['by_style_cpu_per_sample']} / {row['workers']} = "
            f"**{side['projected_idle_200_seconds']:g} s** plus the workers' start.",
            "",
            f"By style on {run['samples']} samples:",
            "",
            "| samples | seconds | s per sample | projected 200 samples s | mean profit |"
            " samples without plan | load before / after |",
            "|---:|---:|---:|---:|---:|---:|---|",
            f"| {run['samples']} | {run['seconds']} | {run['seconds_per_sample']} | "
            f"{projected:.1f} | {run['profit_mean']:,.0f} | {run['infeasible_samples']} | "
            f"{load(run['load_before'])} → {load(run['load_after'])} |",
            "",
            *_baseline_lines(row),
            f"Target: {TARGET_SAMPLES} samples ≤ {TARGET_SECONDS:g} s on 2 cores: **{verdict}**.",
            "",
        ]
    )


def _baseline_lines(row: dict[str, Any]) -> list[str]:
    """Returns the page's lines on the baseline commit's run (none without one)."""
    base = row.get("baseline")
    if base is None:
        return []
    run = row["run"]
    return [
        f"The same {base['samples']} samples right after with flexsupply at `{base['commit']}` "
        "(the by-style method before):",
        "",
        "| code | seconds | samples without plan | load before / after |",
        "|---|---:|---:|---|",
        f"| this commit | {run['seconds']} | {run['infeasible_samples']} | "
        f"{' / '.join(map(str, run['load_before']))} → {' / '.join(map(str, run['load_after']))} |",
        f"| `{base['commit']}` | {base['seconds']} | {base['infeasible_samples']} | "
        f"{' / '.join(map(str, base['load_before']))} → "
        f"{' / '.join(map(str, base['load_after']))} |",
        "",
        f"This commit is **{base['ratio']:.2f}× faster**; the largest relative difference of a "
        f"sample's profit between the two is {base['max_relative_profit_difference']:.2e} "
        f"(both within the {row['gap']:.0%} gap of their own bounds).",
        "",
    ]


def main() -> None:
    """Runs the benchmark and writes ``results/simulate-static.json`` and ``.md``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scenario", type=Path, default=harness.ROOT / "scenarios/spring-drop.yaml"
    )
    parser.add_argument("--plan", type=Path, default=None, help="plan.json of the first stage")
    parser.add_argument("--samples", type=int, default=TARGET_SAMPLES)
    parser.add_argument("--compare", type=int, default=6, help="samples run both ways")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plan-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", default=None, help="commit to run the samples with too")
    parser.add_argument("--only-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.scenario = args.scenario.resolve()
    if args.plan is not None:
        args.plan = args.plan.resolve()
    elif args.baseline:
        parser.error("--baseline needs --plan: both runs must score the same first stage")
    if args.only_run:
        only_run(args)
        return
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    results["row"] = measure(args)
    harness.write_results(HERE / "results" / "simulate-static.json", results, page(results))
    print(page(results))


if __name__ == "__main__":
    main()
