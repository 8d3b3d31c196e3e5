"""Symmetry rows measured: capacitated lot sizing on two identical production lines.

Each Trigeiro instance (``tests/data/trigeiro``, 6 items × 15 periods, proven optima known for
the one-line version) gets its plant split into identical lines, each with ``LINE_SHARE`` of
the plant's capacity per period, so the plan must spread setups over the lines and every plan
has ``lines!`` relabelled copies. Each instance is solved in a fresh process with the rows that
order interchangeable suppliers (``flexsupply/model/symmetry.py``, switched on by
``ORDER_INTERCHANGEABLE``) and without them (the default), with no warm start, so the time is
the engine's proof::

    .venv/bin/python benchmarks/symmetry.py                       # 8 instances, 2 lines, 60 s
    .venv/bin/python benchmarks/symmetry.py --lines 3 --seconds 120 --backends pulp:highs

Results go to ``results/symmetry.json`` and ``results/symmetry.md``, rewritten after each solve.
"""

from __future__ import annotations

import argparse
import datetime
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import harness  # noqa: E402

DATA = HERE.parent / "tests" / "data" / "trigeiro"
LINE_SHARE = 0.6
"""Capacity of each line as a share of the original plant's [fraction]."""
VARIANTS = ("ordered", "unordered")


def lines_scenario(path: Path, lines: int) -> Any:
    """Returns the instance at ``path`` with its plant split into ``lines`` identical lines."""
    from oracles import read_trigeiro, trigeiro_scenario

    import flexsupply as fs

    data = trigeiro_scenario(read_trigeiro(path)).model_dump(mode="json", exclude_none=True)
    plant = data["suppliers"][0]
    capacity = plant["capacity"]
    if isinstance(capacity, list):
        plant["capacity"] = [math.ceil(LINE_SHARE * c) for c in capacity]
    else:
        plant["capacity"] = math.ceil(LINE_SHARE * capacity)
    data["suppliers"] = [
        {**plant, "id": f"LINE-{number}", "name": f"line {number}"}
        for number in range(1, lines + 1)
    ]
    return fs.Scenario.model_validate(data)


def measure(path: Path, lines: int, spec: str, variant: str, seconds: float) -> dict[str, Any]:
    """Solves one instance with or without the symmetry rows in this process; returns its row."""
    harness.setup_worker()
    import flexsupply.model.build as build

    build.ORDER_INTERCHANGEABLE = variant == "ordered"
    scenario = lines_scenario(path, lines)
    row: dict[str, Any] = harness.solve_record(scenario, spec, seconds, None, warm_start=False)
    return row


def markdown(results: dict[str, Any]) -> str:
    """Returns the results as a Markdown page."""
    cell = harness.cell
    settings = results["settings"]
    lines = [
        "# Symmetry rows on identical production lines",
        "",
        harness.machine_line(results),
        "",
        f"Trigeiro instances of `tests/data/trigeiro` with the plant split into {settings['lines']} "
        f"identical lines of {LINE_SHARE:.0%} of its capacity each; min cost, gap 1e-6, "
        f"{settings['seconds']:g} s limit, no warm start, each solve in a fresh process. "
        "**ordered** adds the rows that order the lines by first-batch units "
        "(`model/symmetry.py`, `ORDER_INTERCHANGEABLE = True`); **unordered** is "
        "`flexsupply.solve` as shipped, which leaves symmetry to the engine. Seconds are wall "
        "time; an "
        "instance not proven optimal counts at its full time.",
        "",
        "| engine | variant | proven optimal | total s | median s | worst gap |",
        "|---|---|---:|---:|---:|---:|",
    ]
    rows = results["rows"]
    for spec in settings["backends"]:
        for variant in VARIANTS:
            mine = [r for r in rows if r["engine_spec"] == spec and r["variant"] == variant]
            if not mine:
                continue
            proven = [r for r in mine if r.get("status") == "optimal"]
            times = [
                r["wall_s"] if r.get("status") == "optimal" else settings["seconds"] for r in mine
            ]
            gaps = [r["gap"] for r in mine if r.get("gap") is not None]
            lines.append(
                f"| {spec} | {variant} | {len(proven)} / {len(mine)} | {sum(times):.1f} "
                f"| {cell(harness.median(times), '.1f')} "
                f"| {cell(max(gaps) if gaps else None, '.2f', 100, ' %')} |"
            )
    lines += [
        "",
        "| instance | engine | variant | status | s | objective | bound | gap |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['engine_spec']} | {r['variant']} | {r.get('status')} "
            f"| {cell(r.get('wall_s'), '.1f')} | {cell(r.get('objective'), ',.1f')} "
            f"| {cell(r.get('bound'), ',.1f')} | {cell(r.get('gap'), '.2f', 100, ' %')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark (or, with ``--worker``, one solve); returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances", nargs="+", default=sorted(p.stem for p in DATA.glob("*.DAT"))
    )
    parser.add_argument("--lines", type=int, default=2, help="identical lines (default 2)")
    parser.add_argument("--backends", nargs="+", default=["ortools:scip"])
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit of every solve")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        answer, path, lines, spec, variant, seconds = args.worker
        harness.write_worker_answer(
            answer, measure(Path(path), int(lines), spec, variant, float(seconds))
        )
        return 0
    if args.lines < 2:
        parser.error("--lines must be at least 2")
    for spec in args.backends:
        try:
            harness.parse_backend(spec)
        except ValueError as error:
            parser.error(str(error))
    from build import machine

    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "instances": args.instances,
            "lines": args.lines,
            "line_share": LINE_SHARE,
            "backends": args.backends,
            "seconds": args.seconds,
        },
        "rows": [],
    }
    for name in args.instances:
        path = DATA / f"{name}.DAT"
        if not path.exists():
            parser.error(f"no instance {name!r} in {DATA}")
        for spec in args.backends:
            for variant in VARIANTS:
                flags = [str(path), str(args.lines), spec, variant, str(args.seconds)]
                row = {"instance": name, "engine_spec": spec, "variant": variant}
                row |= harness.run_isolated(
                    Path(__file__).resolve(), flags, 1.5 * args.seconds + 120
                )
                results["rows"].append(row)
                harness.write_results(args.out / "symmetry.json", results, markdown(results))
                print(
                    f"{name} {spec} {variant}: {row.get('status')} {row.get('wall_s', 0):.1f} s "
                    f"gap {harness.cell(row.get('gap'), '.2f', 100, ' %')}",
                    file=sys.stderr,
                    flush=True,
                )
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
