"""Trigeiro-Thomas-McClain capacitated lot sizing: load the instances, time every backend on them.

``load(path)`` reads one instance file of ``../shared/benchmarks/trigeiro/`` (format in its
README) into a ``flexsupply.Scenario``: one capacitated plant, no backlog, minimise setup and
holding cost. The runner solves a set of instances with each backend and formulation, each solve
in a fresh process, and records time to proven optimum (or the limit), status, objective, bound,
gap, the warm start's objective and time, and the proven optimum where the CSV knows it::

    .venv/bin/python benchmarks/trigeiro.py                          # G51-G75, every engine, 60 s
    .venv/bin/python benchmarks/trigeiro.py --set F1 --backends ortools:scip --seconds 5 \\
        --formulation strong plain --out /tmp/trigeiro.json

Formulations: ``strong`` is ``flexsupply.solve`` as users get it (cover cuts and the warm
start); ``cuts`` is the same without the warm start; ``plain`` is
``build_program(..., strengthen=False)`` handed to the backend directly, with no warm start.
Results go to ``<out>`` and the Markdown summary beside it (``.md``), rewritten after every solve.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import re
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import harness  # noqa: E402
from oracles import read_trigeiro, trigeiro_scenario  # noqa: E402

import flexsupply as fs  # noqa: E402
from flexsupply.errors import Problem, ScenarioError  # noqa: E402

DATA = HERE.parent.parent / "shared" / "benchmarks" / "trigeiro"
OPTIMA_FILE = "proven_optima_F_G1-G50.csv"
FOLDERS = ("FG", "X540")
"""Sub-folders of the data folder searched for ``<name>.DAT``."""
DEFAULT_SET = "G51-G75"
FORMULATIONS = ("strong", "cuts", "plain")
DEFAULT_FORMULATIONS = ("strong", "plain")
OPTIMUM_TOLERANCE = 0.5
"""The CSV rounds optima to whole numbers, so an objective within 0.5 (plus the solve's relative
gap) of it matches; instances with fractional data have true optima up to 0.4 away."""
TARGET_SECONDS = 60.0
"""Issue target: median time to proven optimum on G51-G75 with the default backend."""
RANGE = re.compile(r"^([A-Za-z]+)(\d+)-(?:\1)?(\d+)$")


def load(path: Path) -> fs.Scenario:
    """Returns the instance file at ``path`` as a min-cost ``flexsupply.Scenario``.

    Items become products ``ITEM-1..N`` made by one supplier ``PLANT`` with the instance's
    capacity per period [capacity units], capacity per unit, setup time and setup cost; unmet
    demand is forbidden and lead times are 0. The reader is ``tests/oracles.py``'s.

    Raises:
        ScenarioError: the file is missing, unreadable or not in the Trigeiro format.
    """
    try:
        tokens = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(
            [Problem((), f"cannot read it: {error}", str(path))], str(path)
        ) from None
    problem = _format_problem(tokens)
    if problem is not None:
        raise ScenarioError([Problem((), problem, str(path))], str(path))
    scenario: fs.Scenario = trigeiro_scenario(read_trigeiro(path))
    return scenario


def _format_problem(tokens: list[str]) -> str | None:
    """Returns what is wrong with a file's tokens for the Trigeiro format, or None."""
    try:
        items, periods = int(tokens[0]), int(tokens[1])
    except (IndexError, ValueError):
        return "expected the item and period counts 'N T' as the first two numbers"
    if items < 1 or periods < 1:
        return f"item and period counts must be positive, got N={items} T={periods}"
    count = 4 + 4 * items + items * periods
    for position, token in enumerate(tokens[:count]):
        try:
            float(token)
        except ValueError:
            return f"number {position + 1} of {count} (4 + 4N + N·T) is {token!r}, not a number"
    if len(tokens) < count:
        return f"expected 4 + 4N + N·T = {count} numbers for N={items} T={periods}, found {len(tokens)}"
    return None


def instance_path(name: str, data: Path) -> Path:
    """Returns the file of instance ``name`` (e.g. ``G51``, ``X11117A``) under ``data``.

    Raises:
        ValueError: no such file.
    """
    for folder in FOLDERS:
        path = data / folder / f"{name}.DAT"
        if path.exists():
            return path
    raise ValueError(f"no instance {name!r} in {data} ({', '.join(FOLDERS)})")


def instance_sets(specs: list[str], data: Path) -> list[tuple[str, str, Path]]:
    """Returns ``(set label, instance name, file)`` for ranges (``G51-G75``) and names.

    Each range is a set of its own; names given one by one form one set labelled by them.
    """
    found: list[tuple[str, str, Path]] = []
    loose = [spec for spec in specs if not RANGE.match(spec)]
    for spec in specs:
        match = RANGE.match(spec)
        if match is None:
            continue
        prefix, first, last = match.group(1), int(match.group(2)), int(match.group(3))
        label = f"{prefix}{first}-{prefix}{last}"
        names = [f"{prefix}{number}" for number in range(first, last + 1)]
        found += [(label, name, instance_path(name, data)) for name in names]
    label = ", ".join(loose)
    found += [(label, name, instance_path(name, data)) for name in loose]
    return found


def proven_optima(path: Path) -> dict[str, float]:
    """Returns the proven optimal objective of each instance in the CSV (rounded to units)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["instance"]: float(row["optimal_objective"]) for row in csv.DictReader(handle)}


def measure(
    path: Path, spec: str, formulation: str, seconds: float, threads: int | None
) -> dict[str, Any]:
    """Solves one instance with one engine and formulation in this process; returns its row.

    ``wall_s`` is the time from scenario to result [seconds]: for ``strong`` and ``cuts`` the
    whole ``flexsupply.solve`` call, for ``plain`` demand, build and the backend's solve.
    """
    harness.setup_worker()
    from flexsupply.backends import SolverOptions, get_backend
    from flexsupply.demand import demand_scenarios
    from flexsupply.model import build_program

    scenario = load(path)
    row: dict[str, Any] = {"formulation": formulation}
    if formulation == "plain":
        started = time.perf_counter()
        program, _ = build_program(scenario, demand_scenarios(scenario), strengthen=False)
        row["build_s"] = time.perf_counter() - started
        backend, engine = harness.parse_backend(spec)
        options = SolverOptions(
            engine=engine, time_limit=seconds, gap=harness.SOLVE_GAP, threads=threads
        )
        try:
            result = get_backend(backend).solve(program, options)
        except fs.FlexsupplyError as error:
            return (
                row
                | {"status": "error", "message": str(error)}
                | dict.fromkeys(harness.NO_PLAN_FIELDS)
            )
        row |= harness.result_record(result)
        row["wall_s"] = time.perf_counter() - started
    else:
        program, _ = build_program(scenario, demand_scenarios(scenario))
        row |= harness.solve_record(
            scenario, spec, seconds, threads, warm_start=formulation == "strong"
        )
    return row | harness.program_record(program)


def compare(row: dict[str, Any], optimum: float | None) -> dict[str, Any]:
    """Returns the proven optimum, the objective's difference from it and whether they match."""
    if optimum is None or row.get("objective") is None:
        return {"proven_optimum": optimum, "difference": None, "matches_optimum": None}
    difference = round(row["objective"] - optimum, 6) + 0.0  # no "-0.0"
    tolerance = OPTIMUM_TOLERANCE + harness.SOLVE_GAP * abs(optimum)
    return {
        "proven_optimum": optimum,
        "difference": difference,
        "matches_optimum": abs(difference) <= tolerance,
    }


def faster_than_plain(rows: list[dict[str, Any]]) -> None:
    """Marks each non-plain row with whether it proved optimality faster than plain did.

    A row is faster when it proved optimality and plain either did not or took longer; None when
    plain was not run for that instance and engine.
    """
    plain = {(r["instance"], r["backend"]): r for r in rows if r["formulation"] == "plain"}
    for row in rows:
        if row["formulation"] == "plain":
            continue
        other = plain.get((row["instance"], row["backend"]))
        if other is None:
            row["faster_than_plain"] = None
            continue
        solved = row["status"] == "optimal"
        row["faster_than_plain"] = solved and (
            other["status"] != "optimal" or row["wall_s"] < other["wall_s"]
        )


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Returns one line per (set, engine, formulation): counts, median time and worst gap.

    The median time counts an instance not proven optimal at its full time [seconds].
    """
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["set"], row["backend"], row["formulation"]), []).append(row)
    lines = []
    for (label, backend, formulation), members in groups.items():
        gaps = [r["gap"] for r in members if r.get("gap") is not None]
        faster = [r.get("faster_than_plain") for r in members]
        lines.append(
            {
                "set": label,
                "backend": backend,
                "formulation": formulation,
                "instances": len(members),
                "optimal": sum(r["status"] == "optimal" for r in members),
                "no_plan": sum(r.get("objective") is None for r in members),
                "median_s": harness.median(
                    [float(r["wall_s"]) for r in members if r.get("wall_s") is not None]
                ),
                "worst_gap": max(gaps) if gaps else None,
                "matches_optimum": sum(r.get("matches_optimum") is True for r in members),
                "known_optima": sum(r.get("proven_optimum") is not None for r in members),
                "faster_than_plain": None if None in faster else sum(bool(f) for f in faster),
            }
        )
    return lines


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Returns the issue's G51-G75 target per engine: all proven, median ≤ 60 s, each faster.

    Only ``strong`` rows of G51-G75 instances count; an engine is listed when it ran them.
    """
    wanted = {f"G{number}" for number in range(51, 76)}
    found = []
    for backend in dict.fromkeys(r["backend"] for r in rows):
        members = [
            r
            for r in rows
            if r["backend"] == backend and r["formulation"] == "strong" and r["instance"] in wanted
        ]
        if not members:
            continue
        times = [float(r["wall_s"]) for r in members if r.get("wall_s") is not None]
        optimal = sum(r["status"] == "optimal" for r in members)
        faster = [r.get("faster_than_plain") for r in members]
        middle = harness.median(times)
        found.append(
            {
                "backend": backend,
                "instances": len(members),
                "of_25": len(members) == len(wanted),
                "optimal": optimal,
                "median_s": middle,
                "median_met": middle is not None and middle <= TARGET_SECONDS,
                "faster_than_plain": None if None in faster else sum(bool(f) for f in faster),
                "met": len(members) == len(wanted)
                and optimal == len(members)
                and middle is not None
                and middle <= TARGET_SECONDS
                and all(faster),
            }
        )
    return found


def markdown(results: dict[str, Any]) -> str:
    """Returns the Markdown summary: a table per instance set, the targets, every solve."""
    settings = results["settings"]
    rows, summary = results["rows"], results["summary"]
    lines = [
        "# Trigeiro capacitated lot sizing benchmark",
        "",
        harness.machine_line(results),
        "",
        f"Time limit {settings['seconds']:g} s per solve, gap {harness.SOLVE_GAP:g}, threads "
        f"{settings['threads'] or 'engine default'}; each solve in a fresh process. Formulations: "
        "**strong** = `flexsupply.solve` (cover cuts + warm start, which takes up to half the "
        "limit), **cuts** = the same without the warm start, **plain** = "
        "`build_program(..., strengthen=False)` on the backend, no warm start. Seconds are wall "
        "time from scenario to result; an instance not proven optimal counts at its full time. "
        f"Proven optima are those of `{OPTIMA_FILE}`, rounded there to whole numbers: an "
        f"objective within {OPTIMUM_TOLERANCE:g} (+ gap) matches.",
    ]
    for label in dict.fromkeys(line["set"] for line in summary):
        members = [line for line in summary if line["set"] == label]
        lines += [
            "",
            f"## {label} ({members[0]['instances']} instances)",
            "",
            "| engine | formulation | proven optimal | median s | worst gap | no plan | matches proven optimum | faster than plain |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for line in members:
            known = (
                f"{line['matches_optimum']} / {line['known_optima']}"
                if line["known_optima"]
                else "no optima known"
            )
            faster = (
                "—"
                if line["faster_than_plain"] is None
                else f"{line['faster_than_plain']} / {line['instances']}"
            )
            lines.append(
                f"| {line['backend']} | {line['formulation']} | {line['optimal']} / {line['instances']} "
                f"| {harness.cell(line['median_s'], '.1f')} | {harness.cell(line['worst_gap'], '.2f', 100, ' %')} "
                f"| {line['no_plan']} | {known} | {faster} |"
            )
    goal = results["targets"]
    if goal:
        lines += [
            "",
            f"## Target: G51-G75 proven optimal, median ≤ {TARGET_SECONDS:g} s, each faster than plain",
            "",
            f"`strong` rows only; the default engine is {harness.DEFAULT_BACKENDS[0]}.",
            "",
            "| engine | instances | proven optimal | median s | faster than plain | verdict |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for line in goal:
            verdict = "met" if line["met"] else "missed" if line["of_25"] else "partial run"
            faster = "—" if line["faster_than_plain"] is None else str(line["faster_than_plain"])
            lines.append(
                f"| {line['backend']} | {line['instances']} | {line['optimal']} "
                f"| {harness.cell(line['median_s'], '.1f')} | {faster} | {verdict} |"
            )
    lines += [
        "",
        "## Every solve",
        "",
        "| instance | N × T | engine | formulation | status | s | objective | bound | gap | warm start | proven optimum | difference |",
        "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ran = row["status"] not in ("worker_failed", "worker_timeout", "error")
        warm = "none found" if row["formulation"] == "strong" and ran else "—"
        if row.get("warm_start_objective") is not None:
            warm = f"{row['warm_start_objective']:,.1f} in {row['warm_start_s']:.1f} s"
        lines.append(
            f"| {row['instance']} | {row['items']} × {row['periods']} | {row['backend']} "
            f"| {row['formulation']} | {row['status']} | {harness.cell(row.get('wall_s'), '.1f')} "
            f"| {harness.cell(row.get('objective'), ',.1f')} | {harness.cell(row.get('bound'), ',.1f')} "
            f"| {harness.cell(row.get('gap'), '.2f', 100, ' %')} | {warm} "
            f"| {harness.cell(row.get('proven_optimum'), ',.0f')} | {harness.cell(row.get('difference'), '+.1f')} |"
        )
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], out: Path) -> None:
    """Recomputes the summary and writes ``out`` (JSON) and its ``.md`` beside it, atomically."""
    faster_than_plain(results["rows"])
    results["summary"] = summarise(results["rows"])
    results["targets"] = targets(results["rows"])
    harness.write_results(out, results, markdown(results))


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark (or, with ``--worker``, one solve); returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        nargs="+",
        default=[DEFAULT_SET],
        metavar="RANGE|NAME",
        help="instance ranges such as G51-G75 or F1-F10, or names (default G51-G75)",
    )
    parser.add_argument(
        "--backends", nargs="+", default=list(harness.DEFAULT_BACKENDS), metavar="BACKEND:ENGINE"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit of each solve")
    parser.add_argument(
        "--formulation", nargs="+", choices=FORMULATIONS, default=list(DEFAULT_FORMULATIONS)
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="threads per solve (default: the engine's)"
    )
    parser.add_argument(
        "--data", type=Path, default=DATA, help="folder of the instances and the optima CSV"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "trigeiro.json")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        answer, path, spec, formulation, seconds, threads = args.worker
        row = measure(
            Path(path), spec, formulation, float(seconds), None if threads == "-" else int(threads)
        )
        harness.write_worker_answer(answer, row)
        return 0

    from build import machine

    try:
        for spec in args.backends:
            harness.parse_backend(spec)
        chosen = instance_sets(args.set, args.data)
        scenarios = {name: load(path) for _, name, path in chosen}
    except (ValueError, fs.FlexsupplyError) as error:
        parser.error(str(error))
    optima = proven_optima(args.data / OPTIMA_FILE)
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "sets": args.set,
            "backends": args.backends,
            "formulations": args.formulation,
            "seconds": args.seconds,
            "threads": args.threads,
            "gap": harness.SOLVE_GAP,
            "optimum_tolerance": OPTIMUM_TOLERANCE,
        },
        "rows": [],
    }
    timeout = 2.0 * args.seconds + 120.0
    for label, name, path in chosen:
        scenario = scenarios[name]
        for spec in args.backends:
            for formulation in args.formulation:
                flags = [str(path), spec, formulation, str(args.seconds), str(args.threads or "-")]
                row = {
                    "set": label,
                    "instance": name,
                    "items": len(scenario.products),
                    "periods": scenario.horizon.periods,
                    "backend": spec,
                    "formulation": formulation,
                    "time_limit_s": args.seconds,
                } | harness.run_isolated(Path(__file__).resolve(), flags, timeout)
                row |= compare(row, optima.get(name))
                results["rows"].append(row)
                write(results, args.out)
                print(
                    f"{name} {spec} {formulation}: {row['status']} in {row.get('wall_s') or 0:.1f} s, "
                    f"objective {harness.cell(row.get('objective'), ',.1f')}, gap "
                    f"{harness.cell(row.get('gap'), '.2f', 100, ' %')}",
                    file=sys.stderr,
                    flush=True,
                )
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
