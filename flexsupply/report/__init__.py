"""A self-contained HTML report of a plan: KPI header, five charts (inline SVG) and the orders.

``render_report(plan)`` takes a ``Plan`` or its dict form (``Plan.to_dict()``, a ``plan.json``)
and returns the page; both go through the dict, so a report from a file and one from a fresh
solve are the same. The charts need matplotlib: ``pip install "flexsupply[report]"``.
"""

from __future__ import annotations

from flexsupply.plan.files import PlanData, PlanFileError, parse_plan, read_plan_json
from flexsupply.report.build import render_report, write_report
from flexsupply.report.inputs import plan_from_file
from flexsupply.report.page import CHART_IDS
from flexsupply.report.svg import ReportExtraError, require_matplotlib

__all__ = [
    "CHART_IDS",
    "PlanData",
    "PlanFileError",
    "ReportExtraError",
    "parse_plan",
    "plan_from_file",
    "read_plan_json",
    "render_report",
    "require_matplotlib",
    "write_report",
]
