"""Why a season has no plan: the sentences name the style, the period, the shortfall and the
fully booked supplier behind it."""

from __future__ import annotations

import textwrap

import pytest

import flexsupply as fs
from flexsupply.solve.explain import _period_list

TWO_STYLES = """
    name: two-styles
    horizon: {{periods: {periods}}}
    products:
      - {{id: COAT, price: 300}}
      - {{id: TEE, price: 80}}
    suppliers:
      - id: QR
        capacity: 300
        capacity_unit: machine hours
        terms:
          - {{product: COAT, unit_cost: 90, lead_time_periods: 1, capacity_per_unit: 2}}
          - {{product: TEE, unit_cost: 25, lead_time_periods: 1, capacity_per_unit: 1}}
      - id: SLOW
        terms:
          - {{products: [COAT, TEE], unit_cost: 20, lead_time_periods: {slow_lead}}}
    presale:
      - {{product: COAT, period: 1, quantity: {coats}, promise_periods: {promise}}}
      - {{product: TEE, period: 1, quantity: {tees}, promise_periods: {promise}}}
"""


def reasons_for(text: str, backend: str) -> list[str]:
    with pytest.raises(fs.SolveError) as caught:
        fs.solve(fs.loads(textwrap.dedent(text)), solver=backend)
    assert caught.value.status == "infeasible"
    return caught.value.reasons


@pytest.mark.parametrize(
    ("periods", "unit", "text"),
    [
        ([0], "week", "week 1"),
        ([0, 1], "week", "weeks 1-2"),
        ([0, 1, 2, 4], "week", "weeks 1-3 and 5"),
        ([0, 2, 4], "day", "days 1, 3 and 5"),
        ([3, 4, 6, 7], "day", "days 4-5 and 7-8"),
    ],
)
def test_periods_read_as_one_based_ranges(periods: list[int], unit: str, text: str) -> None:
    assert _period_list(unit, periods) == text


@pytest.mark.parametrize("promise", [1, 2])
def test_capacity_shortfall_names_style_period_units_and_the_booked_supplier(
    backend: str, promise: int
) -> None:
    # QR has 300 machine hours a week in the `promise` weeks that still arrive in time; the
    # presales need 2·100p + 150p = 350p. The 50p hours missing are cut where they cost the
    # fewest pieces: 25p coats (2 hours each).
    text = TWO_STYLES.format(
        periods=promise + 2,
        slow_lead=promise + 1,
        coats=100 * promise,
        tees=150 * promise,
        promise=promise,
    )

    (reason,) = reasons_for(text, backend)

    weeks = "week 1" if promise == 1 else f"weeks 1-{promise}"
    assert reason == (
        f"presale of COAT taken in week 1 needs {100 * promise} units by week {promise + 1}; "
        f"the only supplier fast enough (QR) with no stock on hand can deliver only "
        f"{75 * promise} (short {25 * promise}); QR is fully booked in {weeks} "
        f"({300 * promise} machine hours, used by COAT and TEE)"
    )


def test_no_booked_supplier_is_named_when_none_is_fast_enough(backend: str) -> None:
    text = TWO_STYLES.format(periods=4, slow_lead=3, coats=40, tees=0, promise=1)
    text = text.replace("lead_time_periods: 1", "lead_time_periods: 2")

    (reason,) = reasons_for(text, backend)

    assert reason == (
        "presale of COAT taken in week 1 needs 40 units by week 2; no supplier is fast enough "
        "and there is no stock on hand; together they can deliver only 0 (short 40)"
    )


FIRM_DEMAND = """
    name: firm
    horizon: {periods: 3}
    products:
      - {id: TEE, price: 80, unmet_demand: forbidden}
    suppliers:
      - id: QR
        capacity: 80
        terms: [{product: TEE, unit_cost: 25, lead_time_periods: 1}]
    demand:
      units: {TEE: [0, 100, 100]}
"""


def test_firm_demand_shortfall_names_the_first_short_period_and_the_booked_supplier(
    backend: str,
) -> None:
    # 80 a week arrive in weeks 2 and 3 against 100 + 100: 40 short, the first in week 2.
    (reason,) = reasons_for(FIRM_DEMAND, backend)

    assert reason == (
        "demand for TEE must be met in full, but 40 units cannot be supplied in time, first in "
        "week 2; QR is fully booked in week 1 (80 units, used by TEE)"
    )


CAUSES = """
horizon: {{periods: 3}}
products:
  - {{id: DRESS, price: 100}}
  - {{id: SKIRT, price: 60}}
suppliers:
  - id: QR
    capacity: {capacity}
    terms:
      - {{product: DRESS, unit_cost: 40, moq: {moq}, lead_time_periods: 0}}
presale:
  - {{product: {style}, period: 1, quantity: {quantity}, balance_period: 3, promise_periods: 0}}
{extra}
"""


@pytest.mark.parametrize(
    ("values", "cause"),
    [
        pytest.param(
            {"capacity": 100, "moq": 200, "style": "DRESS", "quantity": 50, "extra": ""},
            "QR's MOQ of 200 needs 200 units in one week, more than its capacity (at most 100), "
            "so it cannot take a single order",
            id="moq-above-capacity",
        ),
        pytest.param(
            {"capacity": 1000, "moq": 0, "style": "SKIRT", "quantity": 50, "extra": ""},
            "no supplier makes SKIRT at all and there is no stock on hand",
            id="style-without-supplier",
        ),
        pytest.param(
            {
                "capacity": 50,
                "moq": 0,
                "style": "DRESS",
                "quantity": 150,
                "extra": "warehouse: {capacity: 60}",
            },
            "the warehouse would hold 40 units more than its capacity in week 2",
            id="binding-warehouse",
        ),
    ],
)
def test_infeasibility_names_its_cause(values: dict[str, object], cause: str) -> None:
    scenario = fs.loads(CAUSES.format(**values))

    with pytest.raises(fs.SolveError) as caught:
        fs.solve(scenario)

    assert any(cause in reason for reason in caught.value.reasons), caught.value.reasons
