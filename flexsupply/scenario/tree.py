"""Several reveal points: the scenario tree of a scenario, and its checks.

``reveal_period`` τ1 is the first reveal point; ``later_reveal_periods`` τ2 < τ3 < … add more.
Orders before τ1 are shared by every scenario; orders of the stage from τ_k to τ_{k+1} are shared
by the scenarios of one tree node, named by each scenario's ``nodes[k − 1]``; orders from the last
reveal on are per scenario. Nodes must nest: scenarios that share a node of one stage share their
nodes of every earlier stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flexsupply.errors import Problem

if TYPE_CHECKING:
    from flexsupply.scenario.schema import Scenario

MAX_TREE_NODES = 1000
"""Most tree nodes (over all stages after the first reveal, scenarios counted as the last
stage's nodes) a scenario may state; past it the model is too large to solve in minutes, and
rolling replans (``flexsupply simulate --policy rolling``) are the way to plan reorder rounds."""

MAX_BRANCHING = 20
"""Most nodes one node of a signal-demand tree splits into at a reveal point."""

ROLLING = (
    "plan several reorder rounds with rolling replans instead "
    "(flexsupply simulate --policy rolling --every K; docs/guides/replan.md)"
)


def tree_problems(scenario: Scenario) -> list[Problem]:
    """Returns the problems of the scenario's later reveal points and tree nodes.

    Returns:
        One problem per reveal period out of order or outside the horizon, missing first reveal,
        demand not given as scenarios, scenario with the wrong number of nodes, node that does
        not nest, tree beyond ``MAX_TREE_NODES``, and unsupported combination.
    """
    later = scenario.later_reveal_periods
    tables = scenario.demand.scenarios or []
    if not later:
        alone = [
            Problem(("demand", "scenarios", i, "nodes"), "nodes need later_reveal_periods")
            for i, future in enumerate(tables)
            if future.nodes
        ]
        if scenario.tree_branching:
            message = "needs later_reveal_periods, one number per later reveal period"
            alone.append(Problem(("tree_branching",), message))
        return alone
    loc: tuple[str | int, ...] = ("later_reveal_periods",)
    if scenario.reveal_period is None:
        return [Problem(loc, "needs reveal_period, the first reveal point, before them")]
    problems: list[Problem] = []
    previous = scenario.reveal_period
    for k, period in enumerate(later):
        if period <= previous:
            message = f"must be after {previous} (reveal points in increasing order), got {period}"
            problems.append(Problem((*loc, k), message))
        if period > scenario.horizon.periods:
            message = f"must be within the horizon 1..{scenario.horizon.periods}, got {period}"
            problems.append(Problem((*loc, k), message))
        previous = period
    signals = scenario.demand.signals
    if signals is not None:
        return problems + _branching_problems(scenario, signals.scenarios_kept)
    if scenario.demand.scenarios is None:
        message = (
            "a scenario tree needs its futures listed under demand.scenarios, each with its "
            f"nodes, or signal demand with tree_branching; or {ROLLING}"
        )
        return [*problems, Problem(loc, message)]
    if scenario.tree_branching:
        message = "is for signal demand; futures listed under demand.scenarios name their nodes"
        problems.append(Problem(("tree_branching",), message))
    if scenario.materials:
        message = "a scenario tree with materials is not built yet; " + ROLLING
        problems.append(Problem(loc, message))
    for i, future in enumerate(tables):
        if len(future.nodes) != len(later):
            message = (
                f"needs one node per later reveal period ({len(later)}), got {len(future.nodes)}"
            )
            problems.append(Problem(("demand", "scenarios", i, "nodes"), message))
    if problems:
        return problems
    problems += _nesting(scenario)
    size = len(tables) + sum(len({f.nodes[k] for f in tables}) for k in range(len(later)))
    if size > MAX_TREE_NODES:
        message = (
            f"the scenario tree has {size} nodes, more than the {MAX_TREE_NODES} one model "
            f"can solve in minutes; {ROLLING}"
        )
        problems.append(Problem(loc, message))
    return problems


def _branching_problems(scenario: Scenario, kept: int) -> list[Problem]:
    """Returns the problems of a signal-demand tree: its branching and its size."""
    later, branching = scenario.later_reveal_periods, scenario.tree_branching
    if len(branching) != len(later):
        message = f"needs one number per later reveal period ({len(later)}), got {len(branching)}"
        return [Problem(("tree_branching",), message)]
    problems = []
    if scenario.materials:
        message = "a scenario tree with materials is not built yet; " + ROLLING
        problems.append(Problem(("later_reveal_periods",), message))
    nodes, size = 1, kept
    for b in branching:
        nodes *= b
        size += min(nodes, kept)
    if nodes > kept:
        message = (
            f"splits into {nodes} nodes by the last reveal point but only {kept} futures are "
            "kept (demand.signals.scenarios_kept): keep more futures or branch less"
        )
        problems.append(Problem(("tree_branching",), message))
    if size > MAX_TREE_NODES:
        message = (
            f"the scenario tree has {size} nodes, more than the {MAX_TREE_NODES} one model "
            f"can solve in minutes; {ROLLING}"
        )
        problems.append(Problem(("tree_branching",), message))
    return problems


def _nesting(scenario: Scenario) -> list[Problem]:
    """Returns a problem per node whose scenarios sit in different nodes of the stage before."""
    tables = scenario.demand.scenarios or []
    problems = []
    for k in range(1, len(scenario.later_reveal_periods)):
        parent: dict[str, tuple[str, str]] = {}
        for i, future in enumerate(tables):
            node, up = future.nodes[k], future.nodes[k - 1]
            first = parent.setdefault(node, (up, future.name))
            if first[0] != up:
                message = (
                    f"node {node!r} holds {first[1]!r} (under {first[0]!r}) and this scenario "
                    f"(under {up!r}): a node's scenarios share every earlier node"
                )
                problems.append(Problem(("demand", "scenarios", i, "nodes", k), message))
    return problems


def node_paths(
    names: Sequence[str], scenario: Scenario
) -> list[tuple[int, int, list[int], list[str]]] | None:
    """Returns the tree's stages for demand scenarios ``names``, or None without a tree.

    ``names`` must be the scenario's own table futures, in any order; other demand (samples,
    the mean) gets None: its reorders are per scenario from the first reveal.

    Returns:
        Per later stage, ``(first period, end period, node index of each scenario, node names)``,
        periods 0-based and the end excluded.
    """
    later = scenario.later_reveal_periods
    tables = {future.name: future for future in scenario.demand.scenarios or []}
    if not later or scenario.reveal_period is None or sorted(names) != sorted(tables):
        return None
    bounds = [scenario.reveal_period, *later]
    stages = []
    for k in range(len(later)):
        labels = [tables[name].nodes[k] for name in names]
        order = list(dict.fromkeys(labels))
        index = {label: i for i, label in enumerate(order)}
        stages.append((bounds[k] - 1, bounds[k + 1] - 1, [index[x] for x in labels], order))
    return stages


def stages_ahead(scenario: Scenario, a: int, reveal: int) -> tuple[list[int], list[int]]:
    """Returns the node stages of the season re-anchored after ``a`` with first reveal ``reveal``.

    Returns:
        ``(later reveal periods, level)``: the reveal points after ``reveal``, in re-anchored
        periods, and for each node stage still ahead the index of the season's node stage in
        effect when it starts (0: the stage after the season's first reveal point).
    """
    bounds = [scenario.reveal_period or 0, *scenario.later_reveal_periods]
    later = [b - a for b in bounds[1:] if b - a > reveal]
    starts = [reveal + a, *(b + a for b in later[:-1])] if later else []
    return later, [sum(b <= t for b in bounds) - 1 for t in starts]


def shifted_tree(
    scenario: Scenario, a: int, reveal: int | None
) -> tuple[list[int], dict[str, list[str]]]:
    """Returns the tree of the season re-anchored after period ``a`` with first reveal ``reveal``.

    Reveal points still after ``reveal`` (in the re-anchored periods) stay; the stage starting at
    each new reveal point keeps the nodes the season had at that moment.

    Returns:
        ``(later reveal periods, nodes per scenario name)``, both empty when no later reveal
        point is left.
    """
    # A replan states the updated futures as tables, which a signal tree's grouping does not name.
    if (
        reveal is None
        or not scenario.later_reveal_periods
        or scenario.reveal_period is None
        or scenario.demand.signals is not None
    ):
        return [], {}
    later, levels = stages_ahead(scenario, a, reveal)
    if not later:
        return [], {}
    nodes = {
        future.name: [future.nodes[level] for level in levels]
        for future in scenario.demand.scenarios or []
    }
    return later, nodes


__all__ = [
    "MAX_BRANCHING",
    "MAX_TREE_NODES",
    "node_paths",
    "shifted_tree",
    "stages_ahead",
    "tree_problems",
]
