"""flexsupply: plans presale production, supplier choice and reorders for e-commerce brands."""

from flexsupply.errors import BackendError, FlexsupplyError, ScenarioError, SolveError
from flexsupply.scenario import Scenario, dump, load, loads

__all__ = [
    "BackendError",
    "FlexsupplyError",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "dump",
    "load",
    "loads",
]
