"""The output stage: the Plan and its KPIs, plan files, outputs, comparison, text summary.

``Plan`` (``plan``) is what a solve returns; ``outputs`` writes it as JSON, CSV and Excel;
``compare`` sets plans side by side; ``summary`` renders it for a terminal.
"""

from flexsupply.plan.make import make_plan
from flexsupply.plan.plan import (
    Kpis,
    Order,
    Plan,
    PresaleService,
    StochasticReport,
)

__all__ = ["Kpis", "Order", "Plan", "PresaleService", "StochasticReport", "make_plan"]
