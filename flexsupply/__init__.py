"""flexsupply: plans presale production, supplier choice and reorders for e-commerce brands.

The public names load on first use (module ``__getattr__``), so ``import flexsupply`` and the
command line's ``--version`` and ``--help`` import neither numpy, scipy nor pydantic.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flexsupply.errors import BackendError, FlexsupplyError, ScenarioError, SolveError
    from flexsupply.plan import Kpis, Order, Plan
    from flexsupply.scenario import Scenario, dump, load, loads, scenario_from_frames
    from flexsupply.solve.engine import solve
    from flexsupply.solve.settings import SolveSettings

_HOMES = {
    "BackendError": "flexsupply.errors",
    "FlexsupplyError": "flexsupply.errors",
    "ScenarioError": "flexsupply.errors",
    "SolveError": "flexsupply.errors",
    "Kpis": "flexsupply.plan",
    "Order": "flexsupply.plan",
    "Plan": "flexsupply.plan",
    "Scenario": "flexsupply.scenario",
    "dump": "flexsupply.scenario",
    "load": "flexsupply.scenario",
    "loads": "flexsupply.scenario",
    "scenario_from_frames": "flexsupply.scenario",
    "solve": "flexsupply.solve.engine",
    "SolveSettings": "flexsupply.solve.settings",
}
"""Where each public name lives; ``__getattr__`` imports that module on first use."""

__all__ = [
    "BackendError",
    "FlexsupplyError",
    "Kpis",
    "Order",
    "Plan",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "SolveSettings",
    "dump",
    "load",
    "loads",
    "scenario_from_frames",
    "solve",
]


def __getattr__(name: str) -> Any:
    """Returns the public name ``name``, importing its module on first use.

    Raises:
        AttributeError: ``name`` is not a public name of flexsupply.
    """
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'flexsupply' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package module, whose public names are never replaced by a subpackage.

    Importing ``flexsupply.solve.engine`` binds the subpackage ``flexsupply.solve`` as an
    attribute of this module; the public name ``solve`` stays the function, as it was when
    this module imported it eagerly.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
