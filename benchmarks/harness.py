"""What the solve benchmarks share: backend specs, isolated worker processes and solve records.

``trigeiro.py`` and ``seasons.py`` run every solve in a fresh Python process
(``run_isolated``), so one solve's memory, a crash in a solver library or a solver that
overruns its time limit never touches the others, and a long run keeps every finished row.
Inside the worker, ``solve_record`` and ``program_record`` turn a flexsupply solve into the
JSON fields both runners write.
"""

from __future__ import annotations

import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_BACKENDS = ("ortools:scip", "ortools:highs", "pulp:cbc", "pulp:highs")
"""Every engine flexsupply can drive, as ``backend:engine``; the first is the default."""
TARGET_GAP = 0.01
"""The issue's gap target (1 %)."""
SOLVE_GAP = 1e-6
"""Relative gap every benchmark solve asks for: flexsupply's default, i.e. prove optimality."""
NO_PLAN_FIELDS = ("objective", "bound", "gap", "solver_s", "warm_start_objective", "warm_start_s")
"""Fields of a solve record that stay None when no plan came back."""
STDERR_TAIL = 2000
"""Characters of a failed worker's stderr kept in the results."""


def parse_backend(text: str) -> tuple[str, str]:
    """Returns ``(backend, engine)`` of a spec such as ``ortools:scip`` or ``pulp:highs``.

    Raises:
        ValueError: the backend or the engine is unknown (the message lists the choices).
    """
    from flexsupply.backends import BACKENDS

    name, _, engine = text.partition(":")
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r} in {text!r}; choose one of {list(BACKENDS)}")
    engines = BACKENDS[name].engine_names
    engine = engine or engines[0]
    if engine not in engines:
        raise ValueError(f"unknown {name} engine {engine!r} in {text!r}; choose one of {engines}")
    return name, engine


def finite(value: float | None) -> float | None:
    """Returns ``value`` as a float, or None when it is missing, nan or infinite (JSON-safe)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def setup_worker() -> None:
    """Prepares a worker process: warnings are errors, as in the tests, and solver load order.

    OR-Tools' solver module must load before PuLP: PuLP loads highspy's HiGHS with RTLD_GLOBAL,
    and OR-Tools' own HiGHS then binds to it and crashes (``benchmarks/README.md``).
    """
    warnings.simplefilter("error")
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import ortools.math_opt.core.python.solver  # noqa: F401


def run_isolated(script: Path, arguments: list[str], timeout: float) -> dict[str, Any]:
    """Runs ``script --worker FILE ARGUMENTS`` in a fresh Python process and returns its JSON.

    The worker writes its JSON to FILE (engines print banners to stdout). A worker still running
    after ``timeout`` seconds is killed with its whole process group (CBC runs as a child).

    Returns:
        The worker's dict; on a crash or a timeout ``{"status": "worker_failed" |
        "worker_timeout", "error": ..., "wall_s": ...}`` instead.
    """
    with tempfile.TemporaryDirectory(prefix="flexsupply-bench-") as folder:
        answer = Path(folder) / "row.json"
        command = [sys.executable, str(script), "--worker", str(answer), *arguments]
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
            return {
                "status": "worker_timeout",
                "error": f"killed after {timeout:.0f} s: {stderr[-STDERR_TAIL:]}",
                "wall_s": time.perf_counter() - started,
            }
        if process.returncode != 0 or not answer.exists():
            return {
                "status": "worker_failed",
                "error": f"exit code {process.returncode}: {stderr[-STDERR_TAIL:]}",
                "wall_s": time.perf_counter() - started,
            }
        found: dict[str, Any] = json.loads(answer.read_text(encoding="utf-8"))
        return found


def write_worker_answer(path: str, row: dict[str, Any]) -> None:
    """Writes a worker's result where ``run_isolated`` reads it."""
    Path(path).write_text(json.dumps(row), encoding="utf-8")


def write_results(path: Path, results: dict[str, Any], page: str) -> None:
    """Writes ``results`` as JSON to ``path`` and ``page`` (Markdown) beside it, each atomically."""
    from flexsupply.files import write_text_atomic

    write_text_atomic(path, json.dumps(results, indent=2) + "\n")
    write_text_atomic(path.with_suffix(".md"), page)


def results_header(out: Path, **fields: Any) -> dict[str, Any]:
    """Returns a results record's head (today's date, the machine, then ``fields``).

    Makes the folder ``out`` the results go to.
    """
    import datetime

    from build import machine

    out.mkdir(parents=True, exist_ok=True)
    return {"date": datetime.date.today().isoformat(), "machine": machine(), **fields}


def program_record(program: Any) -> dict[str, int]:
    """Returns the size of a ``LinearProgram``: columns, rows, nonzeros and integer columns."""
    return {
        "columns": int(program.n_columns),
        "rows": int(program.n_rows),
        "nonzeros": int(program.matrix.nnz),
        "integers": int(program.integer.sum()),
    }


def solve_record(
    scenario: Any,
    spec: str,
    seconds: float,
    threads: int | None,
    warm_start: bool | None = None,
    progress: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Solves ``scenario`` with ``flexsupply.solve`` as a user would and returns what happened.

    ``warm_start=None`` is flexsupply's default (on, since a time limit is set).

    Returns:
        ``status``, ``objective``/``bound`` [currency], ``gap`` (fraction), ``wall_s`` (the
        whole call: build, warm start, hand-off, solve, plan) and ``solver_s`` (warm start +
        engine, as the plan reports it) [seconds], ``warm_start_objective`` [currency] and
        ``warm_start_s`` (None without a warm start), and the engine's ``message``.
    """
    import flexsupply as fs

    backend, engine = parse_backend(spec)
    started = time.perf_counter()
    try:
        plan = fs.solve(
            scenario,
            backend,
            engine=engine,
            time_limit=seconds,
            gap=SOLVE_GAP,
            threads=threads,
            warm_start=warm_start,
            progress=progress,
        )
    except fs.FlexsupplyError as error:
        return {
            "status": error.status if isinstance(error, fs.SolveError) else "error",
            "message": str(error),
            "wall_s": time.perf_counter() - started,
        } | dict.fromkeys(NO_PLAN_FIELDS)
    wall = time.perf_counter() - started
    return {
        "status": plan.status,
        "objective": finite(plan.objective),
        "bound": finite(plan.bound),
        "gap": finite(plan.gap),
        "wall_s": wall,
        "solver_s": plan.seconds,
        "warm_start_objective": finite(plan.extra.get("warm_start_objective")),
        "warm_start_s": finite(plan.extra.get("warm_start_seconds")),
        "message": plan.solver_message,
    }


def result_record(result: Any) -> dict[str, Any]:
    """Returns the fields of ``solve_record`` from a backend's ``SolverResult`` (no warm start).

    ``wall_s`` is left to the caller, who knows what else it timed.
    """
    return {
        "status": str(result.status),
        "objective": finite(result.objective),
        "bound": finite(result.bound),
        "gap": finite(result.gap),
        "solver_s": result.seconds,
        "warm_start_objective": None,
        "warm_start_s": None,
        "message": result.message,
    }


def median(values: list[float]) -> float | None:
    """Returns the median of ``values``, None when there are none."""
    return statistics.median(values) if values else None


def cell(value: float | None, form: str = ",.0f", scale: float = 1.0, suffix: str = "") -> str:
    """Returns a Markdown table cell for a number, ``—`` when it is missing."""
    if value is None:
        return "—"
    return f"{scale * value:{form}}{suffix}"


def machine_line(results: dict[str, Any]) -> str:
    """Returns the one-line machine header of a results page: date, CPUs, versions, commit, load."""
    info = results["machine"]
    return (
        f"{results['date']} · {info['cpu_count']} CPUs · Python {info['python']} · "
        + ", ".join(f"{name} {version}" for name, version in info["versions"].items() if version)
        + f" · flexsupply at {info['git_commit']} · load average at start "
        + " / ".join(f"{value:.1f}" for value in info["load_average_at_start"])
    )


def whole_pieces_fields(plan: Any) -> dict[str, Any]:
    """Returns what the whole-piece rounding did to a plan: fractional objective, orders left
    fractional [count] and its time [seconds] (``plan.extra``)."""
    extra = plan.extra
    return {
        "fractional_objective": finite(extra.get("fractional_objective")),
        "fractional_orders": extra.get("fractional_orders", 0),
        "whole_pieces_s": extra.get("whole_pieces_seconds"),
    }


def whole_pieces_words(row: dict[str, Any]) -> str:
    """Returns the whole-piece rounding of a row in words (empty when it did not run)."""
    seconds = row.get("whole_pieces_s")
    if seconds is None:
        return ""
    return (
        f"Whole pieces: {seconds:.1f} s, fractional plan {cell(row.get('fractional_objective'))}, "
        f"{row.get('fractional_orders', 0):,} orders left fractional. "
    )
