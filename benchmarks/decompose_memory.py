"""Peak memory of the decomposition at scale, step by step, main process and workers.

Runs ``flexsupply.solve(case, method="decompose")`` in this process with a sampler thread that
reads, every ``SAMPLE_SECONDS``, this process's resident memory (``/proc/self/status`` VmRSS)
and that of every child process (the subproblem workers; each worker's own copy counts). The
steps of the run at scale (build, partition, blocks, shipping the blocks, LP rounds, sweep,
gluing, joint LP, trading, plan search) are wrapped so each records the resident memory when
it starts and ends and the highest sample while it ran, for the main process and for the
children together. The memory of a season of W scenarios is then extrapolated linearly in W
from two sizes (the program's rows, columns and non-zeros grow linearly in W).

Run from the repository root, each size under the memory lock with a ceiling::

    flock /tmp/mem.lock bash -c 'ulimit -v 16000000; .venv/bin/python \
        benchmarks/decompose_memory.py --cases 2000x20x26x2@300 2000x20x26x5@300'

Writes ``<out>/decompose-memory.json`` and ``.md``, rewritten after every case.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

SAMPLE_SECONDS = 0.2
"""How often the sampler reads the processes' resident memory [seconds]."""
STEPS = (
    ("flexsupply.solve.engine", "demand_scenarios", "scenarios"),
    ("flexsupply.solve.engine", "build_program", "build"),
    ("flexsupply.solve.methods", "plans_by_style", "plans_by_style (partition to test)"),
    ("flexsupply.solve.methods", "_warm_start", "warm start"),
    ("flexsupply.solve.decompose.method", "tighten_within", "cover rounds"),
    ("flexsupply.solve.decompose.method", "partition", "partition"),
    ("flexsupply.solve.decompose.method", "scaled", "scaled copy"),
    ("flexsupply.solve.decompose.method", "blocks_of", "blocks"),
    ("flexsupply.solve.decompose.method", "bundle_of", "bundle"),
    ("flexsupply.solve.decompose.executors.Executor", "load", "ship blocks"),
    ("flexsupply.solve.decompose.scale", "lp_rounds", "LP rounds"),
    ("flexsupply.solve.decompose.scale", "_sweep", "MILP sweep (workers)"),
    ("flexsupply.solve.decompose.scale", "residual_plan", "glued plan"),
    ("flexsupply.solve.decompose.scale", "joint_plan", "joint LP"),
    ("flexsupply.solve.decompose.scale", "trade_room", "trading"),
    ("flexsupply.solve.decompose.primal.PlanSearch", "run", "plan search"),
    ("flexsupply.solve.engine", "_in_whole_pieces", "whole pieces (by groups of styles)"),
)
"""(module or module.Class, attribute, step name) of the wrapped steps, in run order."""


def _kib(path: str, field: str) -> int:
    """Returns a ``/proc/<pid>/status`` field in KiB (0 when the process is gone)."""
    try:
        with open(path, encoding="ascii") as stream:
            for line in stream:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid: int) -> list[int]:
    """Returns every descendant process of ``pid``."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Sampler:
    """Samples the main process's and its children's resident memory in a thread [MiB]."""

    def __init__(self) -> None:
        self.main = 0.0
        self.workers = 0.0
        self.worker_each = 0.0
        self.workers_seen = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> tuple[float, float]:
        """Returns the main process's and the children's resident memory now [MiB]."""
        main = _kib("/proc/self/status", "VmRSS:") / 1024
        kids = [_kib(f"/proc/{c}/status", "VmRSS:") / 1024 for c in children(os.getpid())]
        with self._lock:
            self.worker_each = max([self.worker_each, *kids])
            self.workers_seen = max(self.workers_seen, len(kids))
        return main, sum(kids)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            main, kids = self.now()
            with self._lock:
                self.main, self.workers = max(self.main, main), max(self.workers, kids)

    def reset(self) -> tuple[float, float, float]:
        """Returns the highest samples since the last reset (main, children, one child)."""
        with self._lock:
            peaks = (self.main, self.workers, self.worker_each)
            self.main = self.workers = self.worker_each = 0.0
        return peaks

    def start(self) -> None:
        """Starts sampling."""
        self._thread.start()

    def stop(self) -> None:
        """Stops sampling."""
        self._stop.set()
        self._thread.join()


class Steps:
    """Wraps the run's steps; each call appends a record of its memory and time."""

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler
        self.records: list[dict[str, Any]] = []
        self.depth = 0
        self.origin = time.perf_counter()
        self._peaks: list[list[float]] = []

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        """Replaces ``owner.attribute`` by a recording wrapper."""
        inner = getattr(owner, attribute)
        steps = self

        @functools.wraps(inner)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            with steps.step(name):
                return inner(*args, **kwargs)

        setattr(owner, attribute, recorded)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Records one step: resident memory at start and end, highest sample during it."""
        self._fold()
        before, _ = self.sampler.now()
        self._peaks.append([before, 0.0, 0.0])
        began = time.perf_counter()
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            self._fold()
            after, kids = self.sampler.now()
            peak = self._peaks.pop()
            if self._peaks:  # the enclosing step saw this one's peaks too
                self._peaks[-1] = [max(a, b) for a, b in zip(self._peaks[-1], peak, strict=True)]
            self.records.append(
                {
                    "step": name,
                    "depth": self.depth,
                    "began_s": began - self.origin,
                    "seconds": time.perf_counter() - began,
                    "main_before_mib": before,
                    "main_after_mib": after,
                    "main_peak_mib": max(peak[0], after),
                    "workers_peak_mib": max(peak[1], kids),
                    "one_worker_peak_mib": peak[2],
                    "main_hwm_mib": _kib("/proc/self/status", "VmHWM:") / 1024,
                }
            )

    def _fold(self) -> None:
        main, kids, one = self.sampler.reset()
        for peak in self._peaks:
            peak[0], peak[1], peak[2] = max(peak[0], main), max(peak[1], kids), max(peak[2], one)


def instrument(steps: Steps) -> None:
    """Wraps every step of ``STEPS`` that exists in this version of flexsupply."""
    for owner_path, attribute, name in STEPS:
        module_path, _, class_name = owner_path.rpartition(".")
        try:
            owner: Any = importlib.import_module(owner_path)
        except ImportError:
            owner = getattr(importlib.import_module(module_path), class_name)
        if hasattr(owner, attribute):
            steps.wrap(owner, attribute, name)


def sizes(program: Any) -> dict[str, float]:
    """Returns the program's size and the bytes of its arrays [MiB]."""
    matrix = program.matrix
    arrays = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    for name in ("objective", "row_lower", "row_upper", "col_lower", "col_upper", "integer"):
        arrays += getattr(program, name).nbytes
    return {
        "rows": program.n_rows,
        "columns": program.n_columns,
        "nonzeros": matrix.nnz,
        "program_mib": arrays / 2**20,
    }


def run_case(name: str, seconds: float, answer: str) -> dict[str, Any]:
    """Solves one case with the sampler running; returns its row.

    The method's own result (before whole pieces) and the steps so far are written to
    ``answer`` (a file that outlives the worker) before the whole-piece rounding, so a run
    that dies there still reports them.
    """
    harness.setup_worker()
    from decompose import load_case

    import flexsupply as fs
    from flexsupply.solve import engine

    sampler = Sampler()
    steps = Steps(sampler)
    instrument(steps)
    seen: dict[str, Any] = {}
    build: Callable[..., Any] = getattr(engine, "build_program")  # noqa: B009

    def keep_size(*args: Any, **kwargs: Any) -> Any:
        built = build(*args, **kwargs)
        seen.update(sizes(built[0]))
        return built

    setattr(engine, "build_program", keep_size)  # noqa: B010
    rounding: Callable[..., Any] = getattr(engine, "_in_whole_pieces")  # noqa: B009

    def before_rounding(program: Any, model: Any, result: Any, *rest: Any) -> Any:
        method = {
            "method_objective": harness.finite(result.objective),
            "method_bound": harness.finite(result.bound),
            "method_message": result.message,
        }
        row.update(method)
        harness.write_worker_answer(answer, row | {"steps": steps.records, **seen})
        return rounding(program, model, result, *rest)

    setattr(engine, "_in_whole_pieces", before_rounding)  # noqa: B010
    scenario = load_case(name)
    load = list(os.getloadavg())
    sampler.start()
    began = time.perf_counter()
    row: dict[str, Any] = {"case": name, "seconds": seconds, "load_average": load}
    try:
        plan = fs.solve(scenario, "ortools", time_limit=seconds, method="decompose")
        row |= {
            "status": plan.status,
            "objective": harness.finite(plan.objective),
            "bound": harness.finite(plan.bound),
            "gap": harness.finite(plan.gap),
            "message": plan.solver_message,
        } | harness.whole_pieces_fields(plan)
    except Exception as error:  # out of memory included: the row keeps what was measured
        row |= {"status": "error", "message": f"{type(error).__name__}: {error}"}
    finally:
        sampler.stop()
    row |= {
        "wall_s": time.perf_counter() - began,
        "main_hwm_mib": _kib("/proc/self/status", "VmHWM:") / 1024,
        "workers_seen": sampler.workers_seen,
        "steps": steps.records,
        **seen,
    }
    return row


def page(results: dict[str, Any]) -> str:
    """Returns the Markdown summary: one table of steps per case."""
    lines = ["# Decomposition at scale: memory by step", "", harness.machine_line(results), ""]
    for row in results["rows"]:
        if "steps" not in row:
            lines += [f"## {row['case']}: {row.get('status')} {row.get('error', '')}", ""]
            continue
        lines += [
            f"## {row['case']} @{row['seconds']:g} s (load {row['load_average'][0]:.1f})"
            + (f", {row['code']}" if "code" in row else ""),
            "",
            f"{row.get('rows', 0):,} rows, {row.get('columns', 0):,} columns, "
            f"{row.get('nonzeros', 0):,} non-zeros, program arrays {row.get('program_mib', 0):,.0f} "
            f"MiB; status {row.get('status')}, plan {harness.cell(row.get('objective'))}, bound "
            f"{harness.cell(row.get('bound'))}, gap {harness.cell(row.get('gap'), '.2f', 100, ' %')}, "
            f"wall {row['wall_s']:.0f} s; main process peak (VmHWM) {row['main_hwm_mib']:,.0f} MiB, "
            f"{row['workers_seen']} worker process(es) at most",
            "",
            *(
                [
                    f"The method's own plan {harness.cell(row['method_objective'])} and bound "
                    f"{harness.cell(row.get('method_bound'))}, before the whole-piece rounding "
                    f"({row.get('method_message')}). {harness.whole_pieces_words(row)}"
                    f"{row.get('note', '')}",
                    "",
                ]
                if "method_objective" in row
                else []
            ),
            "| step | s | main before MiB | main peak MiB | main after MiB | workers peak MiB "
            "(all) | one worker MiB |",
            "|---|---|---|---|---|---|---|",
        ]
        for step in sorted(row["steps"], key=lambda s: s["began_s"]):
            indent = "  " * step["depth"]
            lines.append(
                f"| {indent}{step['step']} | {step['seconds']:.1f} | "
                f"{step['main_before_mib']:,.0f} | {step['main_peak_mib']:,.0f} | "
                f"{step['main_after_mib']:,.0f} | {step['workers_peak_mib']:,.0f} | "
                f"{step['one_worker_peak_mib']:,.0f} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs each case in a fresh process (``--worker``); returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["2000x20x26x2@300"])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        answer, case, seconds, partial = args.worker
        harness.write_worker_answer(answer, run_case(case, float(seconds), partial))
        return 0
    results = harness.results_header(args.out, rows=[])
    for case in args.cases:
        name, seconds = case.split("@")
        partial = args.out / f"partial-{name}.json"
        partial.unlink(missing_ok=True)
        arguments = [name, seconds, str(partial)]
        row = harness.run_isolated(Path(__file__), arguments, timeout=float(seconds) * 3)
        if "steps" not in row and partial.exists():  # died in the whole-piece rounding
            died = {"status": row.get("status"), "error": row.get("error")}
            row = json.loads(partial.read_text(encoding="utf-8")) | died
            row |= {"wall_s": row.get("wall_s", math.nan), "main_hwm_mib": math.nan}
            row |= {"workers_seen": 0}
        results["rows"].append({"case": name, "seconds": float(seconds)} | row)
        print(json.dumps({k: v for k, v in row.items() if k != "steps"}, default=str))
        harness.write_results(args.out / "decompose-memory.json", results, page(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
