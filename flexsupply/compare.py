"""Former path of ``flexsupply.plan.compare``, kept so that existing scripts still import."""

from flexsupply.plan.compare import (
    Better,
    Comparison,
    Row,
    Unit,
    compare_files,
    compare_plans,
    comparison_csv,
    comparison_json,
    comparison_table,
    read_plan_file,
    unique_labels,
)
from flexsupply.plan.files import PlanFileError

__all__ = [
    "Better",
    "Comparison",
    "PlanFileError",
    "Row",
    "Unit",
    "compare_files",
    "compare_plans",
    "comparison_csv",
    "comparison_json",
    "comparison_table",
    "read_plan_file",
    "unique_labels",
]
