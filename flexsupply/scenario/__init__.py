"""The input stage: the scenario schema, YAML files with positions, cross-checks, overrides.

``load``/``loads``/``dump`` read and write scenario YAML (``yaml_io``); the pydantic blocks are in
``schema`` (fan signals in ``signals``); ``--set`` overrides in ``overrides``; the JSON Schema in
``json_schema``; the starter templates ``flexsupply init`` writes in ``starter``.
"""

from flexsupply.scenario.schema import (
    Cash,
    Demand,
    DemandScenario,
    DiscountTier,
    Horizon,
    LatenessRule,
    Objective,
    Options,
    PaymentTerms,
    PeriodLength,
    PresaleOrder,
    Product,
    Risk,
    Scenario,
    Service,
    Supplier,
    SupplyTerms,
    UnmetDemand,
    Warehouse,
)
from flexsupply.scenario.signals import Channels
from flexsupply.scenario.yaml_io import dump, load, loads

__all__ = [
    "Cash",
    "Channels",
    "Demand",
    "DemandScenario",
    "DiscountTier",
    "Horizon",
    "LatenessRule",
    "Objective",
    "Options",
    "PaymentTerms",
    "PeriodLength",
    "PresaleOrder",
    "Product",
    "Risk",
    "Scenario",
    "Service",
    "Supplier",
    "SupplyTerms",
    "UnmetDemand",
    "Warehouse",
    "dump",
    "load",
    "loads",
]
