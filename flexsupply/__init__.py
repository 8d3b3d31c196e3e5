"""flexsupply: plans presale production, supplier choice and reorders for e-commerce brands."""

from flexsupply.errors import BackendError, FlexsupplyError, ScenarioError, SolveError
from flexsupply.plan import Kpis, Order, Plan
from flexsupply.scenario import Scenario, dump, load, loads
from flexsupply.solve.engine import solve

__all__ = [
    "BackendError",
    "FlexsupplyError",
    "Kpis",
    "Order",
    "Plan",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "dump",
    "load",
    "loads",
    "solve",
]
