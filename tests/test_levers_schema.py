"""The levers block: every mistake is a located problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

import flexsupply as fs

SCENARIO = (Path(__file__).parent / "data" / "levers" / "campaigns.yaml").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        pytest.param(
            "{product: TEE, units: [0, 100, 0]}",
            "{product: TEA, units: [0, 100, 0]}",
            "levers.campaigns[0].styles[0].product",
            "unknown product 'TEA'",
            id="unknown-style",
        ),
        pytest.param(
            "{product: TEE, units: [0, 100, 0]}",
            "{product: TEE, units: [0, 100]}",
            "levers.campaigns[0].styles[0].units",
            "units needs one value per period: expected 3, got 2",
            id="units-per-period",
        ),
        pytest.param(
            "      period: 2\n",
            "      period: 4\n",
            "levers.campaigns[0].period",
            "period 4 is after the horizon (3)",
            id="period-after-horizon",
        ),
        pytest.param(
            "    - name: slot-b",
            "    - name: slot-a",
            "levers.campaigns[1].name",
            "campaign 'slot-a' appears twice",
            id="name-twice",
        ),
        pytest.param(
            "      kind: livestream\n      period: 2",
            "      kind: posts\n      period: 2",
            "levers.campaigns[0]",
            "a posts campaign needs max_posts ≥ 1",
            id="posts-without-max",
        ),
        pytest.param(
            "      kind: livestream\n      period: 2",
            "      kind: paid_traffic\n      period: 2\n      click_tiers: "
            "[{clicks: 10, cost_per_click: 2}, {clicks: 10, cost_per_click: 1}]",
            "levers.campaigns[0]",
            "click_tiers must not get cheaper per click",
            id="tiers-get-cheaper",
        ),
        pytest.param(
            "levers:\n",
            "objective: min_cost\nlevers:\n",
            "levers",
            "levers trade money for demand: use objective: max_profit",
            id="min-cost",
        ),
        pytest.param(
            "levers:\n",
            "levers:\n  markdown: [{products: [TEE], price_points: [{discount: 0.2}]}]\n",
            "levers.markdown[0]",
            "give each price point a demand_multiplier, or an elasticity",
            id="markdown-without-demand",
        ),
        pytest.param(
            "levers:\n",
            "levers:\n  repurchase: {rate: 0.1, lag_periods: 0}\n",
            "levers.repurchase.lag_periods",
            "≥ 1",
            id="repurchase-lag",
        ),
    ],
)
def test_lever_mistakes_are_located_problems(old: str, new: str, path: str, message: str) -> None:
    assert SCENARIO.count(old) == 1

    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(SCENARIO.replace(old, new), "levers.yaml")

    (problem,) = caught.value.problems
    assert problem.path == path
    assert message in problem.message
    assert problem.line is not None


def test_a_misspelt_lever_field_gets_a_did_you_mean() -> None:
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(SCENARIO.replace("fee: 3000", "fees: 3000"), "levers.yaml")

    assert any("did you mean 'fee'" in problem.message for problem in caught.value.problems)


def test_a_replan_keeps_the_levers_still_ahead_with_their_periods_shifted() -> None:
    from flexsupply.scenario.actuals import Actuals
    from flexsupply.solve.reanchor import reanchor

    season = fs.loads(SCENARIO)
    actuals = Actuals(scenario=season.name, as_of_period=2, stock={"TEE": 10})

    left = reanchor(season, actuals)

    assert left.levers is not None
    (campaign,) = left.levers.campaigns
    assert (campaign.name, campaign.period) == ("slot-b", 1)
    assert campaign.styles[0].units == [50.0]
