"""The signal block: channel funnels give mean demand by hand, and bad blocks point at their line."""

from __future__ import annotations

from pathlib import Path

import located
import numpy as np
import pytest
from click.testing import CliRunner
from located import Where

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.demand import spot_return_rates
from flexsupply.demand.signals import (
    CHANNELS,
    funnel_evidence,
    profile_weights,
    signal_means,
)
from flexsupply.scenario.signals import SignalDemand, TimeProfile

SIGNALS = Path(__file__).parent / "data" / "signals"
BASIC = (SIGNALS / "basic.yaml").read_text(encoding="utf-8")
DEMO = Path(__file__).parent.parent / "scenarios" / "signals-demo.yaml"


def block(products: dict[str, object], **settings: object) -> SignalDemand:
    return SignalDemand.model_validate({"products": products, **settings})


def channel(means: np.ndarray, name: str) -> np.ndarray:
    return means[CHANNELS.index(name)]


# --- mean demand per channel, by hand ------------------------------------------------------------


def test_search_impressions_times_click_through_times_conversion_per_period() -> None:
    signals = block({"A": {"channels": {"search": {"impressions": 20000, "click_through": 0.03}}}})

    means = signal_means(signals, ["A"], 3)

    # 20,000 impressions x 3 % CTR = 600 clicks x 2.5 % default conversion = 15 units a week.
    np.testing.assert_allclose(channel(means.units, "search"), [[15, 15, 15]])
    np.testing.assert_allclose(means.total, [[15, 15, 15]])


def test_clicks_given_per_period_are_taken_as_they_are() -> None:
    signals = block(
        {"A": {"channels": {"search": {"clicks": [100, 200, 400], "conversion": 0.05}}}},
        profile={"shape": "launch_decay", "peak_period": 3},
    )

    means = signal_means(signals, ["A"], 3)

    np.testing.assert_allclose(means.total, [[5, 10, 20]])


def test_livestream_sells_viewers_times_conversion_times_share_in_its_period() -> None:
    session = {"period": 2, "viewers": 20000, "conversion": 0.03, "product_share": 0.2}
    signals = block({"A": {"channels": {"livestreams": [session, {**session, "period": 3}]}}})

    means = signal_means(signals, ["A"], 4)

    np.testing.assert_allclose(channel(means.units, "livestream"), [[0, 120, 120, 0]])


def test_koc_wave_gets_the_density_multiplier_from_the_threshold_and_carries_over() -> None:
    wave = {
        "period": 2,
        "count": 10,
        "reach_per_post": 1000,
        "engagement": 0.1,
        "conversion": 0.05,
        "density_threshold": 10,
        "density_multiplier": 1.5,
        "carryover": 0.5,
    }
    below = {**wave, "count": 9}
    signals = block({"A": {"channels": {"posts": [wave]}}, "B": {"channels": {"posts": [below]}}})

    means = signal_means(signals, ["A", "B"], 4)

    # A: 10 x 1,000 x 10 % x 5 % = 50 units, x 1.5 = 75; half in week 2, a quarter in week 3, …
    np.testing.assert_allclose(channel(means.units, "posts")[0], [0, 37.5, 18.75, 9.375])
    # B: 9 posts stay below the threshold: 45 units, no lift.
    np.testing.assert_allclose(channel(means.units, "posts")[1], [0, 22.5, 11.25, 5.625])


def test_private_domain_follows_the_profile_and_events_lift_always_on_channels() -> None:
    signals = block(
        {
            "A": {
                "channels": {
                    "private_domain": {
                        "members": 5000,
                        "reach_per_period": 0.2,
                        "repurchase_rate": 0.01,
                    },
                    "livestreams": [
                        {"period": 2, "viewers": 1000, "conversion": 0.1, "product_share": 1}
                    ],
                },
                "events": [{"period": 2, "multiplier": 2}],
            }
        },
        profile={"weights": [1, 2, 3]},
        events=[{"name": "618", "period": 3, "multiplier": 3}],
    )

    means = signal_means(signals, ["A"], 3)

    # 5,000 x 20 % x 1 % = 10 a week on average, shaped 0.5/1/1.5, then x2 in week 2, x3 in week 3.
    np.testing.assert_allclose(channel(means.units, "private_domain"), [[5, 20, 45]])
    # Events leave the livestream alone.
    np.testing.assert_allclose(channel(means.units, "livestream"), [[0, 100, 0]])


def test_products_without_signals_have_no_demand() -> None:
    signals = block({"A": {"channels": {"search": {"clicks": 100}}}})

    means = signal_means(signals, ["B", "A"], 2)

    np.testing.assert_allclose(means.total, [[0, 0], [2.5, 2.5]])


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        pytest.param({}, [1, 1, 1, 1], id="flat"),
        pytest.param({"weights": [1, 3, 0, 0]}, [1, 3, 0, 0], id="weights"),
        # Ramp 1/2, 1 to the peak, then 0.5, 0.25: total 2.25 over 4 weeks.
        pytest.param(
            {"shape": "launch_decay", "peak_period": 2, "decay": 0.5},
            np.array([0.5, 1, 0.5, 0.25]) * 4 / 2.25,
            id="launch-decay",
        ),
    ],
)
def test_profile_weights_average_one(profile: dict[str, object], expected: list[float]) -> None:
    weights = profile_weights(TimeProfile.model_validate(profile), 4)

    np.testing.assert_allclose(weights, expected)
    assert weights.mean() == pytest.approx(1)


def test_return_rate_blends_channels_by_their_expected_sales() -> None:
    signals = block(
        {
            "A": {
                "channels": {
                    "search": {"clicks": 400, "conversion": 0.05, "return_rate": 0.3},
                    "livestreams": [
                        {"period": 1, "viewers": 1000, "conversion": 0.02, "product_share": 1}
                    ],
                }
            }
        }
    )

    means = signal_means(signals, ["A"], 2)

    # Search sells 40 at 30 %; the livestream 20 at the product's own 50 %: (12 + 10) / 60.
    np.testing.assert_allclose(means.blended_return_rates(np.array([0.5])), [22 / 60])
    # By period: search 20 + livestream 20 in period 1, (6 + 10) / 40; search alone in period 2.
    np.testing.assert_allclose(means.period_return_rates(np.array([0.5])), [[0.4, 0.3]])


def test_funnel_evidence_is_the_log_ratio_of_observed_to_expected_fav_cart_rate() -> None:
    signals = block(
        {
            "A": {
                "channels": {"search": {"clicks": 100, "fav_cart_rate": 0.15}},
                "observed": {"clicks": 999.5, "favourites": 120, "add_to_cart": 79.5},
            },
            "B": {"channels": {"search": {"clicks": 100}}},
        },
        uncertainty={"funnel_noise": 0.5},
    )

    evidence = funnel_evidence(signals, ["A", "B"])

    # (120 + 79.5 + 0.5) / (999.5 + 0.5) = 20 % against 15 %.
    assert evidence.log_ratio[0] == pytest.approx(np.log(0.2 / 0.15))
    assert evidence.variance[0] == pytest.approx(1 / 200 + 0.25)
    assert np.isnan(evidence.log_ratio[1])
    assert evidence.variance[1] == np.inf


# --- loading ------------------------------------------------------------------------------------


def test_signal_fixture_loads_and_round_trips() -> None:
    scenario = fs.load(SIGNALS / "basic.yaml")

    signals = scenario.demand.signals
    assert signals is not None
    assert signals.products["DRESS-01"].channels.posts[0].density_multiplier == 1.5
    assert scenario.demand.scenario_count == 20
    assert fs.loads(fs.dump(scenario)) == scenario


def test_full_dump_of_the_signal_block_validates_again() -> None:
    scenario = fs.load(SIGNALS / "basic.yaml")

    assert fs.Scenario.model_validate(scenario.model_dump(mode="json")) == scenario


def test_profile_takes_weights_or_a_launch_decay_shape_not_both() -> None:
    with pytest.raises(ValueError, match="either weights or the launch_decay shape"):
        TimeProfile.model_validate({"shape": "launch_decay", "weights": [1, 2]})


def test_signal_demand_cannot_be_listed_as_scenarios() -> None:
    scenario = fs.load(SIGNALS / "basic.yaml")

    with pytest.raises(ValueError, match="demand_scenarios"):
        scenario.demand.as_scenarios()


def test_demo_scenario_validates_on_the_command_line() -> None:
    result = CliRunner().invoke(main, ["validate", str(DEMO)])

    assert result.exit_code == 0, result.output
    assert result.output.endswith("(8 products, 3 suppliers, 12 periods, 40 demand scenarios)\n")


def loads_problems(text: str) -> list[Where]:
    return located.loads_problems(text, "signals.yaml")


def edited(old: str, new: str) -> str:
    assert BASIC.count(old) == 1, old
    return BASIC.replace(old, new)


PRODUCT = "demand.signals.products.DRESS-01"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "reach_per_post: 3000",
            "reach_per_post: -3000",
            (32, 65, f"{PRODUCT}.channels.posts[0].reach_per_post", "must be ≥ 0, got -3000"),
            id="negative-reach",
        ),
        pytest.param(
            "conversion: 0.04,",
            "conversion: 1.4,",
            (33, 28, f"{PRODUCT}.channels.posts[0].conversion", "must be ≤ 1, got 1.4"),
            id="conversion-above-one",
        ),
        pytest.param(
            "            conversion: 0.025\n",
            "            conversion: 2.5\n",
            (27, 25, f"{PRODUCT}.channels.search.conversion", "must be ≤ 1, got 2.5"),
            id="search-conversion-in-percent",
        ),
        pytest.param(
            "          livestreams:",
            "          tiktok: {views: 3000}\n          livestreams:",
            (29, 11, f"{PRODUCT}.channels.tiktok", "unknown field 'tiktok'"),
            id="unknown-channel",
        ),
        pytest.param(
            "          livestreams:",
            "          livestream: []\n          livestreams:",
            (
                29,
                11,
                f"{PRODUCT}.channels.livestream",
                "unknown field 'livestream' (did you mean 'livestreams'?)",
            ),
            id="misspelt-channel",
        ),
        pytest.param(
            "      TOP-01:",
            "      TOP-1:",
            (
                37,
                7,
                "demand.signals.products.TOP-1",
                "unknown product 'TOP-1' (did you mean 'TOP-01'?)",
            ),
            id="unknown-product",
        ),
        pytest.param(
            "{period: 3, viewers",
            "{period: 9, viewers",
            (
                30,
                24,
                f"{PRODUCT}.channels.livestreams[0].period",
                "must be within the horizon 1..6, got 9",
            ),
            id="livestream-after-horizon",
        ),
        pytest.param(
            "impressions: 20000",
            "impressions: [20000, 18000]",
            (
                25,
                13,
                f"{PRODUCT}.channels.search.impressions",
                "impressions needs one value per period: expected 6, got 2",
            ),
            id="impressions-wrong-length",
        ),
        pytest.param(
            "            click_through: 0.03\n",
            "",
            (
                24,
                11,
                f"{PRODUCT}.channels.search",
                "impressions need a click_through rate",
            ),
            id="impressions-without-click-through",
        ),
        pytest.param(
            "reach_per_period: 0.3, ",
            "",
            (
                34,
                11,
                f"{PRODUCT}.channels.private_domain.reach_per_period",
                "required field is missing",
            ),
            id="missing-reach",
        ),
        pytest.param(
            "observed: {clicks: 600, favourites: 60, add_to_cart: 42}",
            "observed: {favourites: 60, add_to_cart: 42}",
            (
                36,
                9,
                f"{PRODUCT}.observed",
                "favourites and add_to_cart need the clicks they came from",
            ),
            id="favourites-without-clicks",
        ),
        pytest.param(
            "scenarios_kept: 20",
            "scenarios_kept: 3000",
            (
                14,
                3,
                "demand.signals",
                "scenarios_kept (3000) must not exceed samples (2000)",
            ),
            id="more-kept-than-sampled",
        ),
        pytest.param(
            "demand:\n",
            "demand:\n  units: {DRESS-01: [1, 1, 1, 1, 1, 1]}\n",
            (
                13,
                1,
                "demand",
                "give exactly one of units (deterministic), scenarios, signals or parametric",
            ),
            id="units-and-signals",
        ),
    ],
)
def test_bad_signal_block_points_at_its_line(old: str, new: str, expected: Where) -> None:
    assert loads_problems(edited(old, new)) == [expected]


def test_several_signal_problems_are_reported_at_once() -> None:
    text = edited("reach_per_post: 3000", "reach_per_post: -3000").replace(
        "      TOP-01:", "      TOP-1:"
    )

    problems = loads_problems(text)

    assert [(line, path) for line, _, path, _ in problems] == [
        (32, f"{PRODUCT}.channels.posts[0].reach_per_post"),
        (37, "demand.signals.products.TOP-1"),
    ]


# --- the demo season --------------------------------------------------------------------------

SPRING = Path(__file__).parent.parent / "scenarios" / "spring-drop.yaml"


def test_spring_drop_plans_from_signals_with_a_week6_livestream() -> None:
    scenario = fs.load(SPRING)
    signals = scenario.demand.signals

    assert signals is not None
    assert (len(scenario.products), len(scenario.suppliers), scenario.horizon.periods) == (
        30,
        5,
        12,
    )
    assert set(signals.products) == set(scenario.product_ids)
    assert 10 <= scenario.demand.scenario_count <= 20
    means = signal_means(signals, scenario.product_ids, 12)
    assert all(channel(means.units, name).sum() > 0 for name in CHANNELS)
    live = channel(means.units, "livestream")
    assert live.sum(axis=0)[5] == pytest.approx(live.sum())  # every session is in week 6
    # DOMAIN §8: a style sells 5-200 units a week on average.
    weekly = means.total.sum(axis=1) / 12
    assert weekly.min() >= 5
    assert weekly.max() <= 200
    # Livestream sales return most: week 6 returns more than week 5 for every featured style.
    rates = spot_return_rates(scenario)
    featured = live.sum(axis=1) > 0
    assert np.all(rates[featured, 5] > rates[featured, 4])


def test_spring_drop_forecast_narrows_the_presold_styles() -> None:
    result = CliRunner().invoke(main, ["forecast", str(SPRING)])

    assert result.exit_code == 0, result.output
    scenario = fs.load(SPRING)
    presold = {order.product for order in scenario.presale}
    rows = {line.split()[0]: line.split() for line in result.output.splitlines()[4:34]}
    assert set(rows) == set(scenario.product_ids)
    for product_id, row in rows.items():
        narrower = float(row[-1].rstrip("%"))
        assert narrower > 0 if product_id in presold else narrower == 0
    assert "10,000 samples → 15 scenarios" in result.output


def test_forecast_applies_set_before_it_forecasts() -> None:
    args = ["forecast", str(SPRING), "--set", "demand.signals.scenarios_kept=5"]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 0, result.output
    assert "10,000 samples → 5 scenarios" in result.output


def test_forecast_names_a_bad_set_without_a_traceback() -> None:
    result = CliRunner().invoke(main, ["forecast", str(SPRING), "--set", "demand.signals.nope=5"])

    assert result.exit_code == 1
    assert "--set demand.signals.nope=5" in result.output
    assert "Traceback" not in result.output
