"""Sampling speed of parametric demand, side by side with the signal model's sampler.

A 30-style, 12-week season is sampled 10,000 times by the signal model (``DemandModel``,
negative binomial × lognormal factors) and by ``demand.parametric`` with every style normal,
lognormal or negative binomial (Gaussian copula, one correlation for every pair, weeks
correlated); the rounds are interleaved so a busy moment of the shared machine hits every method
alike, and each median is given as a ratio to the signal sampler's in the same run. The
reduction to 50 scenarios is timed too.

    .venv/bin/python benchmarks/parametric.py [--rounds 5] [--samples 10000]

Writes ``results/parametric.json`` and ``results/parametric.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from build import machine

RESULTS = harness.HERE / "results" / "parametric.json"
STYLES, PERIODS, KEPT = 30, 12, 50


def season(family: str) -> Any:
    """Returns the 30-style, 12-week scenario with every style of ``family``."""
    import flexsupply as fs

    ids = [f"S{k:02d}" for k in range(STYLES)]
    means = 50 + 10 * np.arange(STYLES)
    styles = {i: {"mean": float(m), "cv": 0.35} for i, m in zip(ids, means, strict=True)}
    return fs.Scenario.model_validate(
        {
            "horizon": {"periods": PERIODS},
            "products": [{"id": i, "price": 10} for i in ids],
            "suppliers": [{"id": "F", "terms": [{"products": ids, "unit_cost": 4}]}],
            "demand": {
                "parametric": {
                    "products": styles,
                    "distribution": family,
                    "correlation": 0.3,
                    "period_correlation": 0.5,
                    "samples": 10_000,
                    "scenarios_kept": KEPT,
                }
            },
        }
    )


def samplers(samples: int) -> dict[str, Callable[[], Any]]:
    """Returns the timed calls, by label; the first is the baseline."""
    from flexsupply.demand import parametric_model, reduce_scenarios
    from flexsupply.demand.distribution import DemandModel

    normal = parametric_model(season("normal"))
    signal = DemandModel(
        product_ids=normal.product_ids,
        base=normal.mean,
        dispersion=np.full(STYLES, 2.0),
        hit_sigma=np.full(STYLES, 0.3),
        common_sigma=np.full(STYLES, 0.2),
        level=np.ones(STYLES),
    )
    models = {
        family: parametric_model(season(family)) for family in ("lognormal", "negative_binomial")
    }
    drawn = normal.sample(samples, 1)
    return {
        "signal model (baseline)": lambda: signal.sample(samples, 1),
        "parametric normal": lambda: normal.sample(samples, 1),
        "parametric lognormal": lambda: models["lognormal"].sample(samples, 1),
        "parametric negative_binomial": lambda: models["negative_binomial"].sample(samples, 1),
        f"reduction to {KEPT} (kmeans)": lambda: reduce_scenarios(drawn, KEPT, "kmeans", 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    started_load = list(os.getloadavg())
    timed = samplers(args.samples)
    seconds: dict[str, list[float]] = {label: [] for label in timed}
    for _ in range(args.rounds):
        for label, call in timed.items():
            start = time.perf_counter()
            call()
            seconds[label].append(time.perf_counter() - start)
    baseline = statistics.median(next(iter(seconds.values())))
    rows = [
        {
            "method": label,
            "median_s": statistics.median(values),
            "min_s": min(values),
            "ratio": statistics.median(values) / baseline,
        }
        for label, values in seconds.items()
    ]
    info = machine()
    info["load_average_at_start"] = started_load
    info["load_average_at_end"] = list(os.getloadavg())
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "settings": {
            "rounds": args.rounds,
            "samples": args.samples,
            "styles": STYLES,
            "periods": PERIODS,
        },
        "rows": rows,
    }
    harness.write_results(RESULTS, results, page(results))
    print(page(results))


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown page of the results."""
    settings = results["settings"]
    lines = [
        "# Sampling parametric demand",
        "",
        harness.machine_line(results)
        + " · at end "
        + " / ".join(f"{value:.1f}" for value in results["machine"]["load_average_at_end"]),
        "",
        f"{settings['samples']:,} samples of a {settings['styles']}-style, "
        f"{settings['periods']}-week season; median of {settings['rounds']} interleaved rounds, "
        "ratio to the signal model's sampler in the same run.",
        "",
        "| method | median [s] | fastest [s] | ratio |",
        "|---|---:|---:|---:|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| {row['method']} | {row['median_s']:.3f} | {row['min_s']:.3f} | "
            f"{row['ratio']:.2f}× |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
