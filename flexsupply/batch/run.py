"""Batch what-ifs: many variants of one scenario solved side by side, locally or on a Dask cluster.

A variant is the scenario file with some ``--set`` overrides (``presale.deposit_share=0.2``) and
optionally another solver. ``sweep_variants`` makes every combination of a few swept values;
``run_batch`` solves the variants in parallel processes (or on Dask), writes each finished plan
as soon as it arrives and keeps a summary file up to date, so a batch that stops halfway keeps
every plan it finished and ``resume`` picks up from there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from flexsupply.backends import DEFAULT_BACKEND
from flexsupply.batch.store import (
    SUMMARY_FILE,
    VariantResult,
    earlier_plan,
    fingerprint,
    summary_csv,
    write_plan,
    write_summary,
)
from flexsupply.batch.variants import BatchError, Variant, variant_folder
from flexsupply.batch.workers import Job, run_here, run_locally, run_on_dask
from flexsupply.errors import Problem, ScenarioError
from flexsupply.files import check_folder
from flexsupply.plan.compare import Comparison
from flexsupply.solve.settings import SettingsFlags, SolveSettings

EXECUTORS = ("local", "dask")


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

    With ``out_dir``, each plan goes to ``<out_dir>/<variant>/plan.json`` (with the fingerprint
    of its scenario and settings in ``variant.json``) as soon as it is solved, by the worker
    that solved it, and ``<out_dir>/batch.csv`` is rewritten after every variant (all
    atomically). With ``resume``, a variant whose plan is already there is read instead of
    solved, if its fingerprint is the one the variant has now; otherwise it is solved again and
    the result's ``note`` says why. ``on_result`` is called in the calling process as each
    result arrives.

    Raises:
        ScenarioError: some variant's scenario is invalid (every problem, once).
        BackendError: a solver or profile is unknown or not installed.
        BatchError: variant names or folders repeat, or the executor is unknown, not installed
            or cannot be reached.
    """
    names = [variant.name for variant in variants]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BatchError(f"variant name {repeated[0]!r} is used twice; names must be unique")
    _check_folders(variants)
    if executor not in EXECUTORS:
        raise BatchError(f"unknown executor {executor!r}; choose {', '.join(EXECUTORS)}")
    folder = None if out_dir is None else check_folder(out_dir)
    # A Dask worker may run on another machine: the plan comes back here to be stored.
    stored_by_worker = folder if executor == "local" else None
    jobs = _jobs(Path(scenario), variants, settings, overrides or {}, stored_by_worker)
    results = [VariantResult(variant, "pending", None) for variant in variants]

    def finish(index: int, result: VariantResult) -> None:
        results[index] = result
        if folder is not None:
            if executor != "local" and result.plan is not None and not result.reused:
                write_plan(folder, result.variant, result.plan, jobs[index].fingerprint)
            write_summary(folder, results)
        if on_result is not None:
            on_result(result)

    pending = []
    for index, variant in enumerate(variants):
        earlier, note = (None, "")
        if resume and folder is not None:
            earlier, note = earlier_plan(folder, variant, jobs[index].fingerprint)
        if earlier is not None:
            finish(index, VariantResult(variant, str(earlier["status"]), earlier, reused=True))
        else:
            pending.append((index, note))
    count = max(1, min(workers or os.cpu_count() or 1, len(pending)))
    chosen = [jobs[index] for index, _ in pending]
    if executor == "dask":
        outcomes = run_on_dask(chosen, count, scheduler)
    elif count == 1:
        outcomes = run_here(chosen)
    else:
        outcomes = run_locally(chosen, count)
    for position, (status, plan, message, seconds) in outcomes:
        index, note = pending[position]
        finish(index, VariantResult(variants[index], status, plan, message, seconds, note=note))
    return results


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
    line = f"{result.variant.name}: {result.status}"
    if result.plan is not None:
        profit = result.plan["kpis"]["expected_profit"]
        currency = result.plan.get("currency") or ""
        when = "from an earlier run" if result.reused else f"{result.seconds:.1f} s"
        line = f"{line}, profit {profit:,.0f} {currency}, {when}".replace("  ", " ")
    return f"{line} ({result.note})" if result.note else line


def _check_folders(variants: Sequence[Variant]) -> None:
    """Refuses variants whose folders would be the same on a case-insensitive file system.

    Raises:
        BatchError: two variants share a folder name.
    """
    seen: dict[str, str] = {}
    for variant in variants:
        key = variant_folder(variant).casefold()
        if key in seen:
            raise BatchError(
                f"variants {seen[key]!r} and {variant.name!r} would share the folder "
                f"{variant_folder(variant)!r}; rename one"
            )
        seen[key] = variant.name


def _jobs(
    scenario: Path,
    variants: Sequence[Variant],
    settings: SolveSettings | str,
    overrides: SettingsFlags,
    folder: Path | None,
) -> list[Job]:
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
        jobs.append(Job(variant, loaded, chosen, fingerprint(variant, loaded, chosen), folder))
    if problems:
        raise ScenarioError(problems, str(scenario))
    return jobs


__all__ = [
    "SUMMARY_FILE",
    "VariantResult",
    "batch_comparison",
    "progress_line",
    "run_batch",
    "summary_csv",
]
