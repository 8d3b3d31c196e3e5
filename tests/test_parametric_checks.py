"""The parametric demand block: every mistake points at its line and field, and no input
gives anything but a scenario or a ScenarioError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.errors import Problem

TWO_STYLES = (Path(__file__).parent / "data" / "parametric" / "two_styles.yaml").read_text(
    encoding="utf-8"
)
THREE_STYLES = TWO_STYLES.replace(
    "  - {id: DRESS-01, price: 300", "  - {id: SKIRT-03, price: 200}\n  - {id: DRESS-01, price: 300"
).replace(
    "    products:\n      DRESS", "    products:\n      SKIRT-03: {mean: 50, sd: 10}\n      DRESS"
)
DRESS = "demand.parametric.products.DRESS-01"
TEE = "demand.parametric.products.TEE-02"
Where = tuple[int, int, str, str]


def problems(text: str) -> list[Where]:
    with pytest.raises(fs.ScenarioError) as caught:
        fs.loads(text, "season.yaml")
    return [(p.line or 0, p.column or 0, p.path, p.message) for p in caught.value.problems]


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_fixture_is_valid_and_has_three_style_form() -> None:
    assert fs.loads(TWO_STYLES).demand.scenario_count == 8
    assert list(fs.loads(THREE_STYLES).demand.parametric.products) == [  # type: ignore[union-attr]
        "SKIRT-03",
        "DRESS-01",
        "TEE-02",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "sd: 30}",
            "sd: -5}",
            (15, 45, f"{DRESS}.sd", "expected a list, got -5; must be ≥ 0, got -5"),
            id="negative-sd",
        ),
        pytest.param(
            "DRESS-01: {mean",
            "DRES-01: {mean",
            (
                15,
                7,
                "demand.parametric.products.DRES-01",
                "unknown product 'DRES-01' (did you mean 'DRESS-01'?)",
            ),
            id="unknown-style",
        ),
        pytest.param(
            "mean: [100, 150, 120]",
            "mean: [100, 150]",
            (15, 18, f"{DRESS}.mean", "mean needs one value per period: expected 3, got 2"),
            id="short-period-list",
        ),
        pytest.param(
            "sd: 30}",
            "sd: 60}",
            (
                15,
                45,
                f"{DRESS}.sd",
                "a normal demand needs sd at most 0.4 x mean, cv 0.4 (else it falls below 0 in "
                "more than 0.6 % of samples), got mean 100 and sd 60 (cv 0.6) in periods 1, 3: "
                "use distribution lognormal or negative_binomial",
            ),
            id="normal-too-wide",
        ),
        pytest.param(
            "cv: 0.5",
            "cv: 0.05",
            (
                16,
                63,
                f"{TEE}.cv",
                "a negative binomial's variance exceeds its mean: sd² must be above the mean, got "
                "mean 80 and sd 4 (sd² 16) in every period: give cv above 0.1118, or use "
                "distribution normal or lognormal",
            ),
            id="negative-binomial-too-narrow",
        ),
        pytest.param(
            "sd: 30}",
            "sd: 30, n: 3}",
            (15, 7, DRESS, "give mean with sd or cv, or n with p (negative binomial), not both"),
            id="two-parameterisations",
        ),
        pytest.param(
            "{mean: [100, 150, 120], sd: 30}",
            "{n: 3, p: 0.1}",
            (
                15,
                21,
                f"{DRESS}.n",
                "n and p describe a negative binomial, but this style's distribution is normal: "
                "give mean with sd or cv, or set distribution: negative_binomial",
            ),
            id="n-p-for-a-normal",
        ),
        pytest.param(
            "distribution: negative_binomial, mean: 80",
            "distribution: poisson, mean: 80",
            (
                16,
                30,
                f"{TEE}.distribution",
                "expected one of 'normal', 'lognormal' or 'negative_binomial', got 'poisson'",
            ),
            id="unknown-distribution",
        ),
        pytest.param(
            "mean: [100, 150, 120], sd: 30}",
            "mean: [100, 0, 120], sd: [30, 5, 30]}",
            (
                15,
                39,
                f"{DRESS}.sd",
                "mean 0 with sd 5 in period 2: demand is never below 0, so a mean of 0 means no "
                "demand; give sd 0 there",
            ),
            id="spread-around-a-zero-mean",
        ),
        pytest.param(
            "scenarios_kept: 8",
            "scenarios_kept: 800",
            (12, 3, "demand.parametric", "scenarios_kept (800) must not exceed samples (400)"),
            id="more-kept-than-sampled",
        ),
    ],
)
def test_a_bad_style_points_at_its_line(old: str, new: str, expected: Where) -> None:
    found = problems(edited(TWO_STYLES, old, new))

    assert [(line, column, path) for line, column, path, _ in found] == [expected[:3]]
    assert found[0][3] == expected[3]


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        pytest.param(
            "correlation: -0.6",
            [
                (
                    19,
                    18,
                    "demand.parametric.correlation",
                    "-0.6 between every pair of 3 styles is not a correlation matrix (not positive "
                    "semi-definite): the least common correlation of 3 styles is -1/2 = -0.5",
                )
            ],
            id="rho-below-minus-one-over-p-minus-one",
        ),
        pytest.param(
            "correlation: 0.5\n    correlations:\n"
            "      - {products: [DRESS-01, TEE-02], correlation: 0.9}\n"
            "      - {products: [TEE-02, SKIRT-03], correlation: 0.9}\n"
            "      - {products: [SKIRT-03, DRESS-01], correlation: -0.9}",
            [
                (
                    20,
                    5,
                    "demand.parametric.correlations",
                    "the correlations are not a correlation matrix: it is not positive semi-definite "
                    "(smallest eigenvalue -0.8), so no styles can move together like this; two styles "
                    "both strongly correlated with a third must be positively correlated with each "
                    "other",
                )
            ],
            id="not-positive-semi-definite",
        ),
        pytest.param(
            "correlation: 0.5\n    correlations:\n"
            "      - {products: [SKIRT-03, TEE-02], correlation: 1.5}",
            [(21, 53, "demand.parametric.correlations[0].correlation", "must be ≤ 1, got 1.5")],
            id="correlation-above-one",
        ),
        pytest.param(
            "correlation: 0.5\n    correlations:\n"
            "      - {products: [DRESS-01, DRESS-01], correlation: 0.9}\n"
            "      - {products: [TEE-02, SKIRT-03], correlation: 0.9}\n"
            "      - {products: [SKIRT-03, TEE-02], correlation: 0.9}\n"
            "      - {products: [SKIRT-03, TEE-0], correlation: 0.9}",
            [
                (
                    21,
                    10,
                    "demand.parametric.correlations[0].products",
                    "a pair needs two different styles, got 'DRESS-01' twice",
                ),
                (
                    23,
                    10,
                    "demand.parametric.correlations[2].products",
                    "the pair SKIRT-03, TEE-02 is already given in demand.parametric.correlations[1]",
                ),
                (
                    24,
                    31,
                    "demand.parametric.correlations[3].products[1]",
                    "no distribution in demand.parametric.products for style 'TEE-0' (did you mean "
                    "'TEE-02'?)",
                ),
            ],
            id="bad-pairs-all-at-once",
        ),
    ],
)
def test_bad_correlations_point_at_their_line(new: str, expected: list[Where]) -> None:
    assert problems(edited(THREE_STYLES, "correlation: 0.5", new)) == expected


def test_perfectly_correlated_styles_are_allowed_and_move_together() -> None:
    scenario = fs.loads(edited(TWO_STYLES, "correlation: 0.5", "correlation: 1"))

    drawn = demand_scenarios(scenario).units

    ranks = np.argsort(np.argsort(drawn[:, :, 0], axis=0), axis=0)
    assert np.array_equal(ranks[:, 0], ranks[:, 1])


FIELD_VALUES = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 10**9),
    st.lists(st.floats(-10, 1e3), max_size=4),
    st.text(max_size=3),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    style=st.dictionaries(
        st.sampled_from(["distribution", "mean", "sd", "cv", "n", "p", "sigma"]),
        FIELD_VALUES,
        max_size=4,
    ),
    block=st.dictionaries(
        st.sampled_from(["correlation", "period_correlation", "samples", "distribution"]),
        FIELD_VALUES,
        max_size=3,
    ),
)
def test_any_parametric_block_gives_a_scenario_or_a_scenario_error(
    style: dict[str, Any], block: dict[str, Any]
) -> None:
    data = yaml.safe_load(TWO_STYLES)
    data["demand"]["parametric"]["products"]["TEE-02"] = style
    data["demand"]["parametric"].update(block)

    found: list[Problem] = []
    try:
        scenario = fs.loads(data)
    except fs.ScenarioError as error:
        found = error.problems
    if found:
        assert all(problem.path.startswith("demand") for problem in found)
        return
    drawn = demand_scenarios(scenario).units
    assert drawn.shape[1:] == (2, 3)
    assert np.all(np.isfinite(drawn))
    assert np.all(drawn >= 0)


def test_an_unknown_style_is_reported_with_a_type_error_elsewhere() -> None:
    text = edited(TWO_STYLES, "DRESS-01: {mean", "DRES-01: {mean")
    text = edited(text, "samples: 400", "samples: many")

    found = problems(text)

    assert [(line, path) for line, _, path, _ in found] == [
        (15, "demand.parametric.products.DRES-01"),
        (18, "demand.parametric.samples"),
    ]
    assert "unknown product 'DRES-01' (did you mean 'DRESS-01'?)" in found[0][3]
