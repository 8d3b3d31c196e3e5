"""Batch what-if runs: variants of scenarios, solved locally in parallel or on Dask."""

from flexsupply.batch.run import batch_comparison, progress_line, run_batch
from flexsupply.batch.store import SUMMARY_FILE, VariantResult, summary_csv
from flexsupply.batch.variants import (
    SOLVER_KEY,
    BatchError,
    Variant,
    parse_sweep,
    sweep_variants,
    variant_folder,
)

__all__ = [
    "SOLVER_KEY",
    "SUMMARY_FILE",
    "BatchError",
    "Variant",
    "VariantResult",
    "batch_comparison",
    "parse_sweep",
    "progress_line",
    "run_batch",
    "summary_csv",
    "sweep_variants",
    "variant_folder",
]
