"""Order stages of a scenario tree: which scenarios share the order columns of each period.

Stage 0 (periods before the first reveal τ1) is one node for every scenario, each later stage
(from τ_k to τ_{k+1}) one node per group of scenarios the scenario tree has not yet told
apart, and the last stage (from the last reveal on) one node per scenario. Non-anticipativity is
column sharing: scenario ω's order of period t is the column of its node, ``x[:, :, node[ω]]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import IntArray
from flexsupply.demand import DemandScenarios
from flexsupply.scenario import Scenario
from flexsupply.scenario.tree import node_paths


@dataclass(frozen=True)
class OrderStage:
    """The periods ``start ≤ t < end`` (0-based) whose orders the scenarios of a node share."""

    name: str
    """Block name suffix: ``shared``, ``node1``, ``node2`` …, ``reorder``."""
    start: int
    end: int
    node: IntArray
    """Node of each scenario, ``(Ω,)``."""
    names: tuple[str, ...]
    """Node names for the plan (empty for the first and the last stage)."""
    shared: bool = False
    """The first stage: one column for every scenario, its money counted once."""

    @property
    def n_nodes(self) -> int:
        """Returns the number of nodes of the stage."""
        return int(self.node.max(initial=-1)) + 1


def order_stages(scenario: Scenario, demand: DemandScenarios, reveal: int) -> list[OrderStage]:
    """Returns the order stages of the scenario for ``demand`` (0-based first reveal ``reveal``).

    Demand other than the scenario's own table futures (samples, the mean) has no tree: its
    orders are per scenario from the first reveal on, as with one reveal point.

    Returns:
        The stages in period order, covering every period.
    """
    n_scen, periods = demand.n_scenarios, demand.units.shape[2]
    every = np.arange(n_scen, dtype=np.int64)
    stages = [OrderStage("shared", 0, reveal, np.zeros(n_scen, dtype=np.int64), (), True)]
    start = reveal
    for k, (t0, t1, node, names) in enumerate(node_paths(demand.names, scenario) or []):
        stages.append(
            OrderStage(f"node{k + 1}", t0, t1, np.array(node, dtype=np.int64), tuple(names))
        )
        start = t1
    stages.append(OrderStage("reorder", start, periods, every, ()))
    return stages


def node_stages(stages: list[OrderStage]) -> tuple[OrderStage, ...]:
    """Returns the stages whose orders are shared by tree nodes (neither first nor last)."""
    return tuple(stage for stage in stages if stage.names)


__all__ = ["OrderStage", "node_stages", "order_stages"]
