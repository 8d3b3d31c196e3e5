"""Several reveal points: a scenario tree's orders shared per node, its checks and its outputs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.model.tree import grouped_nodes
from flexsupply.plan.order_changes import expected_orders
from flexsupply.plan.outputs import plan_tables
from flexsupply.plan.summary import plan_summary
from flexsupply.scenario.tree import MAX_TREE_NODES, shifted_tree

DATA = Path(__file__).parent / "data" / "tree"
PRICE, COST = 20.0, 9.0


def tree_data() -> dict[str, Any]:
    """Returns the two-stage tree as data: weak and strong nodes of two futures each."""
    return fs.load(DATA / "two-stage.yaml").model_dump()


def newsvendor(demand: list[float], probability: list[float]) -> float:
    """Returns the critical-fractile order for a discrete demand: least d with F(d) ≥ (p − c)/p."""
    order = np.argsort(demand)
    cumulative = np.cumsum(np.asarray(probability)[order]) / sum(probability)
    fractile = (PRICE - COST) / PRICE
    return float(np.asarray(demand)[order][np.searchsorted(cumulative, fractile - 1e-12)])


def hand_answer(data: dict[str, Any]) -> tuple[dict[str, float], float]:
    """Returns each node's week-2 order (a newsvendor on its futures) and the expected profit."""
    futures = data["demand"]["scenarios"]
    orders, profit = {}, 0.0
    for node in dict.fromkeys(f["nodes"][0] for f in futures):
        mine = [f for f in futures if f["nodes"][0] == node]
        demand = [f["units"]["TEE"][2] for f in mine]
        q = newsvendor(demand, [f["probability"] for f in mine])
        orders[node] = q
        profit += sum(
            f["probability"] * (PRICE * min(d, q) - COST * q)
            for f, d in zip(mine, demand, strict=True)
        )
    return orders, profit


def test_second_reveal_gives_each_node_its_newsvendor_order(backend: str) -> None:
    data = tree_data()
    orders, profit = hand_answer(data)
    plan = fs.solve(fs.loads(data), solver=backend)
    assert plan.kpis.expected_profit == pytest.approx(profit)
    placed = {(o.node, o.scenario): o.quantity for o in plan.orders}
    for future in data["demand"]["scenarios"]:
        node = future["nodes"][0]
        assert placed[node, future["name"]] == pytest.approx(orders[node])
    assert {o.period for o in plan.orders} == {2}


@pytest.mark.parametrize(
    ("nodes", "single_reveal"),
    [
        (lambda f: [f["name"]], 2),  # every future its own node: told apart at the first reveal
        (lambda f: ["all"], 3),  # one node: nothing told apart before the second reveal
    ],
)
def test_tree_that_tells_nothing_more_equals_one_reveal_point(
    backend: str, nodes: Any, single_reveal: int
) -> None:
    data = tree_data()
    for future in data["demand"]["scenarios"]:
        future["nodes"] = nodes(future)
    tree = fs.solve(fs.loads(data), solver=backend)
    data["later_reveal_periods"] = []
    data["reveal_period"] = single_reveal
    for future in data["demand"]["scenarios"]:
        future["nodes"] = []
    one = fs.solve(fs.loads(data), solver=backend)
    assert tree.kpis.expected_profit == pytest.approx(one.kpis.expected_profit)
    assert expected_orders(tree) == pytest.approx(expected_orders(one))


def test_tree_orders_show_their_node(tmp_path: Path) -> None:
    plan = fs.solve(fs.load(DATA / "two-stage.yaml"), solver="pulp")
    summary = plan_summary(plan)
    assert "[node weak]" in summary
    assert "[node strong]" in summary
    assert "Reorders by demand future: node weak 1, node strong 1" in summary
    orders = next(t for t in plan_tables(plan) if t.name == "orders")
    node = [c.name for c in orders.columns].index("node")
    assert [row[node] for row in orders.rows] == ["weak", "weak", "strong", "strong"]
    plan.to_json(tmp_path / "plan.json")
    assert [o.node for o in fs.Plan.from_json(tmp_path / "plan.json").orders] == [
        o.node for o in plan.orders
    ]


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        ({"later_reveal_periods": [2]}, "later_reveal_periods[0]", "must be after 2"),
        ({"later_reveal_periods": [4]}, "later_reveal_periods[0]", "within the horizon"),
        ({"reveal_period": None}, "later_reveal_periods", "needs reveal_period"),
        ({"nodes": [[], ["weak"], ["strong"], ["strong"]]}, "scenarios[0].nodes", "one node per"),
        ({"later_reveal_periods": []}, "scenarios[0].nodes", "need later_reveal_periods"),
    ],
)
def test_bad_tree_gives_located_error(change: dict[str, Any], where: str, what: str) -> None:
    data = tree_data()
    for i, nodes in enumerate(change.pop("nodes", [])):
        data["demand"]["scenarios"][i]["nodes"] = nodes
    data.update(change)
    with pytest.raises(fs.ScenarioError, match=rf"{re.escape(where)}: .*{what}"):
        fs.loads(data)


def test_nodes_must_nest() -> None:
    data = tree_data()
    data["horizon"]["periods"] = 4
    data["later_reveal_periods"] = [3, 4]
    data["suppliers"][0]["terms"][0]["unit_cost"] = [100, 9, 1000, 1000]
    for future, nodes in zip(
        data["demand"]["scenarios"], (["a", "x"], ["a", "y"], ["b", "y"], ["b", "z"]), strict=True
    ):
        future["nodes"] = nodes
        future["units"]["TEE"].append(0)
    with pytest.raises(fs.ScenarioError, match=r"scenarios\[2\]\.nodes\[1\]: node 'y' holds"):
        fs.loads(data)


def test_deterministic_demand_tree_points_to_rolling_replans() -> None:
    data = tree_data()
    data["demand"] = {"units": {"TEE": [0, 0, 50]}}
    with pytest.raises(fs.ScenarioError, match="rolling replans"):
        fs.loads(data)


def test_tree_too_large_points_to_rolling_replans() -> None:
    data = tree_data()
    n = MAX_TREE_NODES
    data["demand"]["scenarios"] = [
        {"name": f"f{i}", "probability": 1 / n, "nodes": [f"n{i}"], "units": {"TEE": [0, 0, i]}}
        for i in range(n)
    ]
    with pytest.raises(fs.ScenarioError, match=rf"{2 * n} nodes, more than .*rolling replans"):
        fs.loads(data)


def test_replan_keeps_the_reveal_points_still_ahead() -> None:
    data = tree_data()
    data["horizon"]["periods"] = 8
    data["reveal_period"], data["later_reveal_periods"] = 3, [5, 7]
    data["suppliers"][0]["terms"][0]["unit_cost"] = 9
    for future, path in zip(
        data["demand"]["scenarios"],
        (["w", "w1"], ["w", "w2"], ["s", "s1"], ["s", "s2"]),
        strict=True,
    ):
        future["nodes"] = path
        future["units"]["TEE"] = [10] * 8
    season = fs.loads(data)
    assert shifted_tree(season, 1, 2) == (
        [4, 6],
        {f["name"]: f["nodes"] for f in data["demand"]["scenarios"]},
    )
    later, by_future = shifted_tree(season, 3, 2)
    assert later == [4]
    assert by_future == {
        "weak-low": ["w1"],
        "weak-high": ["w2"],
        "strong-low": ["s1"],
        "strong-high": ["s2"],
    }
    assert shifted_tree(season, 6, 2) == ([], {})


def signal_tree(branching: list[int]) -> dict[str, Any]:
    """Returns the two-style signal season with reveal points in weeks 2 and 4."""
    data = fs.load(DATA.parent / "signals" / "basic.yaml").model_dump()
    data.update(reveal_period=2, later_reveal_periods=[4], tree_branching=branching)
    data["options"]["whole_pieces"] = False  # the engine's optimum, not a rounded plan's
    return data


def test_sampled_futures_split_by_the_demand_seen_before_the_reveal() -> None:
    scenario = fs.loads(signal_tree([3]))
    demand = demand_scenarios(scenario)
    (start, end, node, names), *_ = grouped_nodes(scenario, demand) or []
    assert (start, end) == (1, 3)
    assert names == ["low", "mid", "high"]
    seen = demand.units[:, :, :1].sum(axis=(1, 2))
    node_of = np.array(node)
    assert np.bincount(node_of).tolist() == [7, 7, 6]
    for lower, upper in ((0, 1), (1, 2)):
        assert seen[node_of == lower].max() <= seen[node_of == upper].min()


@pytest.mark.parametrize(("branching", "single_reveal"), [([20], 2), ([1], 4)])
def test_signal_tree_that_tells_nothing_more_equals_one_reveal_point(
    backend: str, branching: list[int], single_reveal: int
) -> None:
    data = signal_tree(branching)
    tree = fs.solve(fs.loads(data), solver=backend, gap=0.0)
    data.update(reveal_period=single_reveal, later_reveal_periods=[], tree_branching=[])
    one = fs.solve(fs.loads(data), solver=backend, gap=0.0)
    assert tree.kpis.expected_profit == pytest.approx(one.kpis.expected_profit, rel=1e-6)


def test_signal_tree_lies_between_its_reveal_points(backend: str) -> None:
    """Told apart in two groups at week 2 is worth less than every future alone, more than none."""
    data = signal_tree([2])
    tree = fs.solve(fs.loads(data), solver=backend, gap=0.0).kpis.expected_profit
    bounds = []
    for reveal in (2, 4):
        data.update(reveal_period=reveal, later_reveal_periods=[], tree_branching=[])
        bounds.append(fs.solve(fs.loads(data), solver=backend, gap=0.0).kpis.expected_profit)
    assert bounds[1] - 1e-6 <= tree <= bounds[0] + 1e-6
    assert bounds[1] < bounds[0]


@pytest.mark.parametrize(
    ("branching", "what"),
    [([12], "splits into 12 nodes by the last reveal point but only 10"), ([2, 2], "needs one")],
)
def test_bad_branching_gives_located_error(branching: list[int], what: str) -> None:
    data = signal_tree(branching)
    data["demand"]["signals"]["scenarios_kept"] = 10
    with pytest.raises(fs.ScenarioError, match=rf"tree_branching: {what}"):
        fs.loads(data)


def test_branching_is_for_signal_demand() -> None:
    data = tree_data()
    data["tree_branching"] = [2]
    with pytest.raises(fs.ScenarioError, match="tree_branching: is for signal demand"):
        fs.loads(data)


def test_stochastic_report_keeps_the_tree_for_the_mean_plan(backend: str) -> None:
    """The mean plan buys nothing in week 1 (100 a piece), so on the tree EEV is RP's 580.

    Reorders chosen per future alone from week 2 would give 847 instead.
    """
    data = tree_data()
    _, profit = hand_answer(data)
    plan = fs.solve(fs.loads(data), solver=backend, stochastic_report=True)
    assert plan.stochastic is not None
    assert plan.stochastic.eev == pytest.approx(profit)
    assert plan.stochastic.vss == pytest.approx(0.0, abs=1e-6)
