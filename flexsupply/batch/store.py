"""A batch's output folder: one folder per variant with its plan and what it was solved from.

``<out_dir>/<variant_folder>/plan.json`` holds a variant's plan and ``variant.json`` beside it the
fingerprint of what made it: the scenario after the variant's overrides, the solve settings
(log switch aside) and the flexsupply version. ``resume`` reuses a plan only when its
fingerprint is the one the variant has now; a plan made from another scenario or other
settings, a plan without a fingerprint and a file that cannot be read are solved again, with a
note saying why. ``<out_dir>/batch.csv`` has one row per variant, in variant order, those not
finished yet marked ``pending``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from flexsupply.batch.variants import Variant, variant_folder
from flexsupply.errors import FlexsupplyError
from flexsupply.files import write_text_atomic
from flexsupply.plan.cells import text_cell
from flexsupply.scenario import Scenario
from flexsupply.solve.settings import SolveSettings

SUMMARY_FILE = "batch.csv"
"""Summary of a batch in its output folder, one row per variant, rewritten as plans arrive."""
PLAN_FILE = "plan.json"
"""A variant's plan in its folder."""
FINGERPRINT_FILE = "variant.json"
"""What a variant's plan was made from, in its folder beside ``plan.json``."""
SUMMARY_HEADER = [
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
"""Columns of ``batch.csv``."""


@dataclasses.dataclass(frozen=True)
class VariantResult:
    """What solving one variant gave."""

    variant: Variant
    status: str
    """The plan's status (``optimal``, ``feasible``, ``interrupted``), or ``no plan``, ``error``,
    or ``pending`` in ``batch.csv`` for a variant not finished yet."""
    plan: dict[str, Any] | None
    """The plan as ``Plan.to_dict()`` gives it; None without a plan."""
    message: str = ""
    """Why there is no plan, in the words of the ``SolveError`` (empty with a plan)."""
    seconds: float = 0.0
    """Wall-clock time of the variant's solve [seconds] (0 when reused)."""
    reused: bool = False
    """True when the plan was read from an earlier run's output folder (``resume``)."""
    note: str = ""
    """Why an earlier run's plan was not reused (``resume``), empty otherwise."""


def fingerprint(variant: Variant, scenario: Scenario, settings: SolveSettings) -> str:
    """Returns the fingerprint of what a variant's plan is made from (hex SHA-256).

    It covers the variant's name, overrides and solver, the validated scenario after the
    overrides, every solve setting but ``log`` and the flexsupply version: the same fingerprint
    means solving again would answer the same question.
    """
    chosen = dataclasses.asdict(settings)
    chosen.pop("log", None)
    record = {
        "variant": [variant.name, list(variant.overrides), variant.solver],
        "scenario": scenario.model_dump(mode="json"),
        "settings": chosen,
        "flexsupply": _version(),
    }
    text = json.dumps(record, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def earlier_plan(
    folder: Path, variant: Variant, expected: str
) -> tuple[dict[str, Any] | None, str]:
    """Returns the plan a previous run wrote for ``variant`` if it answers the same question.

    Args:
        folder: The batch's output folder.
        variant: The variant.
        expected: The variant's fingerprint now (``fingerprint``).

    Returns:
        The plan (None when it is missing, unreadable or stale) and a note saying why an
        existing plan is not reused (empty when there was none or it is reused).
    """
    from flexsupply.plan.compare import read_plan_file

    place = folder / variant_folder(variant)
    if not (place / PLAN_FILE).is_file():
        return None, ""
    try:
        record = json.loads((place / FINGERPRINT_FILE).read_text(encoding="utf-8"))
        stored = record.get("fingerprint") if isinstance(record, dict) else None
    except (OSError, ValueError):
        stored = None
    if stored is None:
        return (
            None,
            f"{PLAN_FILE} of an earlier run has no readable {FINGERPRINT_FILE}: solved again",
        )
    if stored != expected:
        return (
            None,
            "the scenario or the solve settings changed since the earlier run: solved again",
        )
    try:
        plan: dict[str, Any] = read_plan_file(place / PLAN_FILE)
    except (FlexsupplyError, OSError, ValueError) as error:
        return None, f"{PLAN_FILE} of an earlier run cannot be read ({error}): solved again"
    return plan, ""


def write_plan(folder: Path, variant: Variant, plan: dict[str, Any], fingerprint: str) -> None:
    """Writes a variant's ``plan.json`` and then its ``variant.json``, each atomically.

    The fingerprint goes last: a run stopped between the two leaves a plan that ``resume``
    solves again rather than one it cannot vouch for. The plan's ``run`` record (its seconds)
    goes into ``variant.json``, so ``plan.json`` is the same for the same variant.
    """
    place = folder / variant_folder(variant)
    kept = {key: value for key, value in plan.items() if key != "run"}
    write_text_atomic(place / PLAN_FILE, json.dumps(kept, indent=2, ensure_ascii=False) + "\n")
    record = {
        "variant": variant.name,
        "overrides": list(variant.overrides),
        "solver": variant.solver,
        "fingerprint": fingerprint,
        "run": plan.get("run"),
    }
    write_text_atomic(place / FINGERPRINT_FILE, json.dumps(record, indent=2) + "\n")


def summary_csv(rows: Sequence[VariantResult]) -> str:
    """Returns one CSV row per variant: name, changes, solver, status, KPIs, gap, seconds, reason.

    Money columns are in the plans' currency [currency]; shares are fractions. Text cells that
    a spreadsheet would run as a formula get a leading ``'`` (``text_cell``).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_HEADER)
    for row in rows:
        plan = row.plan or {}
        kpis = plan.get("kpis", {})
        writer.writerow(
            [
                text_cell(row.variant.name),
                text_cell(" ".join(row.variant.overrides)),
                text_cell(row.variant.solver or ""),
                text_cell(row.status),
                _cell(kpis.get("expected_profit")),
                _cell(kpis.get("fill_rate")),
                _cell(kpis.get("presale_on_time_share")),
                _cell(kpis.get("leftover_units")),
                _cell(kpis.get("cash_low_point")),
                _cell(plan.get("gap")),
                f"{row.seconds:.2f}",
                text_cell(row.message),
            ]
        )
    return buffer.getvalue()


def write_summary(folder: Path, rows: Sequence[VariantResult]) -> None:
    """Writes ``batch.csv`` atomically."""
    write_text_atomic(folder / SUMMARY_FILE, summary_csv(rows))


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)


def _version() -> str:
    try:
        return version("flexsupply")
    except PackageNotFoundError:
        return "(not installed)"


__all__ = [
    "FINGERPRINT_FILE",
    "PLAN_FILE",
    "SUMMARY_FILE",
    "VariantResult",
    "earlier_plan",
    "fingerprint",
    "summary_csv",
    "write_plan",
    "write_summary",
]
