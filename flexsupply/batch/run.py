"""Batch what-ifs: many variants of one scenario solved side by side, locally or on a Dask cluster.

A variant is the scenario file with some ``--set`` overrides (``presale.deposit_share=0.2``) and
optionally another solver. ``sweep_variants`` makes every combination of a few swept values;
``run_batch`` solves the variants in parallel processes (or on Dask), writes each finished plan
as soon as it arrives and keeps a summary file up to date, so a batch that stops halfway keeps
every plan it finished and ``resume`` picks up from there.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from flexsupply.backends import DEFAULT_BACKEND
from flexsupply.batch.variants import BatchError, Variant, variant_folder
from flexsupply.errors import Problem, ScenarioError, SolveError
from flexsupply.fds import fd_redirected
from flexsupply.plan.cells import text_cell
from flexsupply.plan.compare import Comparison
from flexsupply.scenario import Scenario
from flexsupply.solve.settings import SettingsFlags, SolveSettings

SUMMARY_FILE = "batch.csv"
"""Summary of a batch in its output folder, one row per variant, rewritten as plans arrive."""
EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class VariantResult:
    """What solving one variant gave."""

    variant: Variant
    status: str
    """The plan's status (``optimal`` or ``feasible``), or ``no plan`` / ``error``."""
    plan: dict[str, Any] | None
    """The plan as ``Plan.to_dict()`` gives it; None without a plan."""
    message: str = ""
    """Why there is no plan, in the words of the ``SolveError`` (empty with a plan)."""
    seconds: float = 0.0
    """Wall-clock time of the variant's solve [seconds] (0 when reused)."""
    reused: bool = False
    """True when the plan was read from an earlier run's output folder (``resume``)."""


@dataclass(frozen=True)
class _Job:
    # The validated scenario travels with the job, so a Dask worker on another machine needs
    # no copy of the file.
    scenario: Scenario
    settings: SolveSettings


def run_batch(
    scenario: str | Path,
    variants: Sequence[Variant],
    settings: SolveSettings | str = DEFAULT_BACKEND,
    *,
    overrides: SettingsFlags | None = None,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    on_result: Callable[[VariantResult], None] | None = None,
) -> list[VariantResult]:
    """Solves every variant of a scenario file and returns the results in variant order.

    Every variant is checked before anything is solved, so a bad ``--set`` stops the batch at
    once. Variants then run in ``workers`` processes (default: the CPUs) with ``executor``
    ``local``, or as tasks on a Dask cluster with ``dask`` (``scheduler`` is its address; without
    one a local cluster of ``workers`` processes is started). ``settings`` (or a backend or
    profile name) solves every variant; a variant that names its own solver uses that profile
    with ``overrides`` (the command line's flags: ``time_limit`` in seconds, ``gap``, …) on top.
    A variant without a plan is a result, not an error.

    With ``out_dir``, each plan goes to ``<out_dir>/<variant>/plan.json`` as soon as it is solved
    and ``<out_dir>/batch.csv`` is rewritten after every variant (both atomically); with
    ``resume``, variants whose plan.json is already there are read instead of solved.
    ``on_result`` is called in the calling process as each result arrives.

    Raises:
        ScenarioError: some variant's scenario is invalid (every problem, once).
        BackendError: a solver or profile is unknown or not installed.
        BatchError: variant names repeat, or the executor is unknown or not installed.
    """
    names = [variant.name for variant in variants]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BatchError(f"variant name {repeated[0]!r} is used twice; names must be unique")
    if executor not in EXECUTORS:
        raise BatchError(f"unknown executor {executor!r}; choose {', '.join(EXECUTORS)}")
    jobs = _jobs(Path(scenario), variants, settings, overrides or {})
    folder = Path(out_dir) if out_dir is not None else None
    results: dict[int, VariantResult] = {}

    def finish(index: int, result: VariantResult) -> None:
        results[index] = result
        if folder is not None:
            _write_result(folder, result, [results[i] for i in sorted(results)])
        if on_result is not None:
            on_result(result)

    pending = []
    for index, variant in enumerate(variants):
        earlier = _earlier_plan(folder, variant) if resume and folder is not None else None
        if earlier is not None:
            finish(index, VariantResult(variant, str(earlier["status"]), earlier, reused=True))
        else:
            pending.append(index)
    run = _run_on_dask if executor == "dask" else _run_locally
    for index, outcome in run([jobs[i] for i in pending], workers, scheduler):
        status, plan, message, seconds = outcome
        finish(
            pending[index], VariantResult(variants[pending[index]], status, plan, message, seconds)
        )
    return [results[i] for i in range(len(variants))]


def batch_comparison(results: Sequence[VariantResult]) -> tuple[Comparison, list[str]]:
    """Returns the KPIs of the variants with a plan side by side, and a line per variant without.

    The comparison is ``flexsupply.plan.compare``'s, one column per variant, best values marked.
    """
    from flexsupply.plan.compare import compare_plans

    planned = [result for result in results if result.plan is not None]
    comparison = compare_plans(
        [result.plan for result in planned if result.plan is not None],
        [result.variant.name for result in planned],
        [" ".join(result.variant.overrides) or "as in the file" for result in planned],
    )
    missing = [
        f"{result.variant.name}: {result.status}: {result.message}"
        for result in results
        if result.plan is None
    ]
    return comparison, missing


def progress_line(result: VariantResult) -> str:
    """Returns one line on a finished variant, e.g. ``moq=50: optimal, profit 4,850 CNY, 0.3 s``."""
    if result.plan is None:
        return f"{result.variant.name}: {result.status}"
    profit = result.plan["kpis"]["expected_profit"]
    currency = result.plan.get("currency") or ""
    when = "from an earlier run" if result.reused else f"{result.seconds:.1f} s"
    return (
        f"{result.variant.name}: {result.status}, profit {profit:,.0f} {currency}, {when}".replace(
            "  ", " "
        )
    )


def summary_csv(results: Sequence[VariantResult]) -> str:
    """Returns one CSV row per variant: name, changes, solver, status, KPIs, gap, seconds, reason.

    Money columns are in the plans' currency [currency]; shares are fractions. Text cells that
    a spreadsheet would run as a formula get a leading ``'`` (``text_cell``).
    """
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "variant",
            "changes",
            "solver",
            "status",
            "expected_profit",
            "fill_rate",
            "presale_on_time",
            "leftover_units",
            "cash_low_point",
            "gap",
            "seconds",
            "reason",
        ]
    )
    for result in results:
        kpis = (result.plan or {}).get("kpis", {})
        plan = result.plan or {}
        writer.writerow(
            [
                text_cell(result.variant.name),
                text_cell(" ".join(result.variant.overrides)),
                text_cell(result.variant.solver or ""),
                text_cell(result.status),
                _cell(kpis.get("expected_profit")),
                _cell(kpis.get("fill_rate")),
                _cell(kpis.get("presale_on_time_share")),
                _cell(kpis.get("leftover_units")),
                _cell(kpis.get("cash_low_point")),
                _cell(plan.get("gap")),
                f"{result.seconds:.2f}",
                text_cell(result.message),
            ]
        )
    return buffer.getvalue()


def _jobs(
    scenario: Path,
    variants: Sequence[Variant],
    settings: SolveSettings | str,
    overrides: SettingsFlags,
) -> list[_Job]:
    """Checks every variant and its settings and returns what a worker needs to solve each."""
    from flexsupply.scenario.overrides import load_with_overrides
    from flexsupply.solve.profiles import resolve_settings

    problems: list[Problem] = []
    jobs = []
    base = resolve_settings(settings, **overrides)
    for variant in variants:
        chosen = base if variant.solver is None else resolve_settings(variant.solver, **overrides)
        chosen.check()
        try:
            loaded = load_with_overrides(scenario, variant.overrides)
        except ScenarioError as error:
            problems += [p for p in error.problems if str(p) not in map(str, problems)]
            continue
        jobs.append(_Job(loaded, chosen))
    if problems:
        raise ScenarioError(problems, str(scenario))
    return jobs


def _solve_job(job: _Job) -> tuple[str, dict[str, Any] | None, str, float]:
    """Solves one variant (in a worker): returns status, plan data, reason and seconds."""
    from flexsupply.solve.engine import solve

    started = time.perf_counter()
    sys.stdout.flush()
    # Engines such as HiGHS print a banner from C code; stdout belongs to the batch's table.
    try:
        with fd_redirected(1, 2):
            plan = solve(job.scenario, job.settings)
    except SolveError as error:
        return "no plan", None, str(error), time.perf_counter() - started
    return str(plan.status), plan.to_dict(), "", time.perf_counter() - started


_Outcome = tuple[str, dict[str, Any] | None, str, float]


def _run_locally(
    jobs: list[_Job], workers: int | None, scheduler: str | None
) -> Iterator[tuple[int, _Outcome]]:
    """Yields ``(job index, outcome)`` as jobs finish, in worker processes when more than one."""
    del scheduler
    count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if count == 1:
        for index, job in enumerate(jobs):
            yield index, _solve_job(job)
        return
    # spawn, not fork: solver libraries keep threads that a forked child must not inherit.
    with ProcessPoolExecutor(count, mp_context=get_context("spawn")) as pool:
        futures: dict[Future[_Outcome], int] = {
            pool.submit(_solve_job, job): index for index, job in enumerate(jobs)
        }
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.__getitem__):
                yield futures.pop(future), _outcome_of(future.exception(), future)


def _run_on_dask(
    jobs: list[_Job], workers: int | None, scheduler: str | None
) -> Iterator[tuple[int, _Outcome]]:
    """Yields ``(job index, outcome)`` as Dask tasks finish."""
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise BatchError(
            "the dask executor needs Dask's distributed scheduler: pip install 'flexsupply[dask]'"
        ) from None
    if not jobs:
        return
    cluster = None
    if scheduler is None:
        count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        cluster = distributed.LocalCluster(
            n_workers=count, threads_per_worker=1, dashboard_address=None
        )
    client = distributed.Client(scheduler if cluster is None else cluster)
    try:
        futures = {
            client.submit(_solve_job, job, key=f"flexsupply-variant-{index}", pure=False): index
            for index, job in enumerate(jobs)
        }
        for future in distributed.as_completed(futures):
            yield futures[future], _outcome_of(future.exception(), future)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _outcome_of(error: BaseException | None, future: Any) -> _Outcome:
    """Returns a finished task's outcome; a crash in the task becomes an ``error`` result."""
    if error is None:
        result: _Outcome = future.result()
        return result
    return "error", None, f"{type(error).__name__}: {error}", 0.0


def _earlier_plan(folder: Path, variant: Variant) -> dict[str, Any] | None:
    """Returns the plan a previous run wrote for ``variant``, None when there is none."""
    path = folder / variant_folder(variant) / "plan.json"
    if not path.is_file():
        return None
    from flexsupply.plan.compare import read_plan_file

    return read_plan_file(path)


def _write_result(folder: Path, result: VariantResult, done: list[VariantResult]) -> None:
    from flexsupply.files import write_text_atomic

    if result.plan is not None and not result.reused:
        text = json.dumps(result.plan, indent=2, ensure_ascii=False) + "\n"
        write_text_atomic(folder / variant_folder(result.variant) / "plan.json", text)
    write_text_atomic(folder / SUMMARY_FILE, summary_csv(done))


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)


__all__ = [
    "SUMMARY_FILE",
    "VariantResult",
    "batch_comparison",
    "progress_line",
    "run_batch",
    "summary_csv",
]
