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

    Table futures use the nodes they name; with signal demand any futures of two or more
    (the reduced scenarios, or samples) are grouped (``grouped_nodes``). Other demand (the
    mean, samples of table futures) has no tree: its orders are per scenario from the first
    reveal on, as with one reveal point.

    Returns:
        The stages in period order, covering every period.
    """
    n_scen, periods = demand.n_scenarios, demand.units.shape[2]
    every = np.arange(n_scen, dtype=np.int64)
    stages = [OrderStage("shared", 0, reveal, np.zeros(n_scen, dtype=np.int64), (), True)]
    start = reveal
    paths = node_paths(demand.names, scenario)
    if paths is None and scenario.demand.signals is not None and n_scen > 1:
        paths = grouped_nodes(scenario, demand)
    for k, (t0, t1, node, names) in enumerate(paths or []):
        stages.append(
            OrderStage(f"node{k + 1}", t0, t1, np.array(node, dtype=np.int64), tuple(names))
        )
        start = t1
    stages.append(OrderStage("reorder", start, periods, every, ()))
    return stages


WORDS = {1: ("all",), 2: ("low", "high"), 3: ("low", "mid", "high")}
"""Names of the groups a node splits into, by the demand seen so far (else ``q1``, ``q2``, …)."""


def grouped_nodes(
    scenario: Scenario, demand: DemandScenarios
) -> list[tuple[int, int, list[int], list[str]]] | None:
    """Returns the tree of sampled futures: each node split by the demand seen before a reveal.

    At each reveal point but the last, the futures of every node are ranked by their total spot
    demand (all styles) before the reveal point, ties by position, and cut into ``b_k``
    (``tree_branching``) groups of about equal count. A group is named by its rank, ``low``,
    ``mid``, ``high`` (``q1``, ``q2``, … past three), after its parent's name: ``high/low``.

    Returns:
        As ``flexsupply.scenario.tree.node_paths``; None without ``tree_branching``.
    """
    branching = scenario.tree_branching
    if not branching or scenario.reveal_period is None:
        return None
    bounds = [scenario.reveal_period, *scenario.later_reveal_periods]
    n_scen = demand.n_scenarios
    parent = np.zeros(n_scen, dtype=np.int64)
    names = [""]
    stages = []
    for k, b in enumerate(branching):
        seen = demand.units[:, :, : bounds[k] - 1].sum(axis=(1, 2))
        order = np.lexsort((np.arange(n_scen), seen, parent))
        size = np.bincount(parent)
        first = np.concatenate([[0], np.cumsum(size)[:-1]])
        rank = np.empty(n_scen, dtype=np.int64)
        rank[order] = np.arange(n_scen) - first[parent[order]]
        child = rank * b // size[parent]
        node, label = np.unique(parent * b + child, return_inverse=True)
        words = WORDS.get(b, tuple(f"q{j + 1}" for j in range(b)))
        names = [f"{names[n // b]}/{words[n % b]}" if names[n // b] else words[n % b] for n in node]
        parent = label.astype(np.int64)
        stages.append((bounds[k] - 1, bounds[k + 1] - 1, parent.tolist(), names))
    return stages


def node_stages(stages: list[OrderStage]) -> tuple[OrderStage, ...]:
    """Returns the stages whose orders are shared by tree nodes (neither first nor last)."""
    return tuple(stage for stage in stages if stage.names)


__all__ = ["OrderStage", "grouped_nodes", "node_stages", "order_stages"]
