"""Batch what-if runs: variants of scenarios, solved locally in parallel or on Dask."""

from flexsupply.batch.run import (
    BatchError,
    Variant,
    VariantResult,
    batch_comparison,
    parse_sweep,
    progress_line,
    run_batch,
    summary_csv,
    sweep_variants,
    variant_folder,
)

__all__ = [
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
