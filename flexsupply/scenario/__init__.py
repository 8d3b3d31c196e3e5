"""The input stage: the scenario schema, files with positions, cross-checks, overrides.

``load`` reads a YAML file, a workbook or a CSV folder (``sources``: YAML in ``yaml_io``, tables
in ``table_layout``/``table_read``/``table_write``, ``workbook``, ``csv_folder``); ``loads`` takes
YAML text or Python data, ``scenario_from_frames`` data frames (``objects``); every form is
validated by ``validation``. The pydantic blocks are in ``schema`` (fan signals in ``signals``);
``--set`` overrides in ``overrides``; the JSON Schema in ``json_schema``; the starter templates
``flexsupply init`` writes in ``starter``.
"""

from flexsupply.scenario.objects import scenario_from_frames
from flexsupply.scenario.schema import (
    Cash,
    CreditLine,
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
    TermLoan,
    UnmetDemand,
    Warehouse,
)
from flexsupply.scenario.signals import Channels
from flexsupply.scenario.sources import load, loads, write_scenario
from flexsupply.scenario.yaml_io import dump

__all__ = [
    "Cash",
    "Channels",
    "CreditLine",
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
    "TermLoan",
    "UnmetDemand",
    "Warehouse",
    "dump",
    "load",
    "loads",
    "scenario_from_frames",
    "write_scenario",
]
