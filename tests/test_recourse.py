"""Priced recourse: a credit line, term loans and an overflow store make short seasons feasible.

Every expected number is worked out by hand next to its case. One style sells 100 units at 20 in
period 2 (demand firm); the units cost 10 each, paid when ordered in period 1.
"""

from __future__ import annotations

import pytest
from planning import plan_for

import flexsupply as fs

SHORT_OF_CASH = """
    horizon: {{periods: 2}}
    products:
      - id: TEE
        price: 20
        unmet_demand: forbidden
    suppliers:
      - id: MILL
        payment: {{upfront_share: 1}}
        terms:
          - product: TEE
            unit_cost: 10
            lead_time_periods: 1
    demand:
      units:
        TEE: [0, 100]
    cash:
      initial: {initial}
{financing}
"""
CREDIT_LINE = "      credit_line: {limit: 2000, interest_rate: 0.01}"
LOAN = (
    "      loans: [{name: bank, amount: 800, period: 1, interest_rate: 0.02, repayment_period: 2}]"
)


def test_cash_floor_without_credit_has_no_plan(backend: str) -> None:
    scenario = fs.loads(SHORT_OF_CASH.format(initial=500, financing=""))

    with pytest.raises(fs.SolveError, match="cash runs out"):
        fs.solve(scenario, solver=backend)


def test_credit_line_draws_the_shortfall_and_pays_its_interest(backend: str) -> None:
    plan = plan_for(SHORT_OF_CASH.format(initial=500, financing=CREDIT_LINE), backend)

    # 1000 of orders against 500 of cash: draw 500 in period 1, repay it with 1 % in period 2.
    assert plan.financing is not None
    assert plan.financing.balance[0] == pytest.approx([500, 0], abs=1e-6)
    assert plan.financing.draws[0] == pytest.approx([500, 0], abs=1e-6)
    assert plan.financing.repayments[0] == pytest.approx([0, 500], abs=1e-6)
    assert plan.financing.interest[0] == pytest.approx([0, 5], abs=1e-6)
    assert plan.kpis.costs["interest"] == pytest.approx(0.01 * 500)
    # 100·20 − 100·10 − 5
    assert plan.objective == pytest.approx(995)


def test_credit_line_borrows_nothing_when_cash_suffices(backend: str) -> None:
    plan = plan_for(SHORT_OF_CASH.format(initial=2000, financing=CREDIT_LINE), backend)

    assert plan.financing is not None
    assert plan.financing.balance == pytest.approx(0, abs=1e-6)
    assert plan.kpis.costs["interest"] == pytest.approx(0, abs=1e-6)
    assert plan.objective == pytest.approx(1000)


def test_commitment_fee_is_charged_on_the_whole_limit_every_period(backend: str) -> None:
    line = "      credit_line: {limit: 2000, interest_rate: 0.01, fee_rate: 0.001}"
    plan = plan_for(SHORT_OF_CASH.format(initial=2000, financing=line), backend)

    # 0.1 % of 2000 in each of 2 periods, nothing drawn
    assert plan.kpis.costs["credit_fee"] == pytest.approx(4)
    assert plan.objective == pytest.approx(996)


def test_term_loan_borrows_what_is_short_and_pays_interest_until_repaid(backend: str) -> None:
    plan = plan_for(SHORT_OF_CASH.format(initial=500, financing=LOAN), backend)

    # borrow 500 of the 800 on offer; 2 % for the one period until repayment
    assert plan.financing is not None
    assert plan.financing.loans[0].amount == pytest.approx([500])
    assert plan.financing.interest[0] == pytest.approx([0, 10], abs=1e-6)
    assert plan.objective == pytest.approx(990)


CROWDED = """
    horizon: {{periods: 2}}
    products:
      - id: TEE
        price: 20
        unmet_demand: forbidden
    suppliers:
      - id: MILL
        capacity: [100, 0]
        terms:
          - product: TEE
            unit_cost: 10
    demand:
      units:
        TEE: [0, 100]
    warehouse:
      capacity: 60
{overflow}
"""


def test_warehouse_without_overflow_store_is_a_hard_limit(backend: str) -> None:
    with pytest.raises(fs.SolveError):
        fs.solve(fs.loads(CROWDED.format(overflow="")), solver=backend)


def test_overflow_store_takes_the_excess_at_its_price(backend: str) -> None:
    plan = plan_for(CROWDED.format(overflow="      overflow_cost: 1.5"), backend)

    # 100 made in period 1 for period 2: 40 above the 60 that fit, 1.5 each for one period
    assert plan.financing is not None
    assert plan.financing.overflow[0] == pytest.approx([40, 0], abs=1e-6)
    assert plan.kpis.costs["overflow_storage"] == pytest.approx(60)
    assert plan.objective == pytest.approx(2000 - 1000 - 60)


def test_fee_on_a_line_without_limit_is_rejected() -> None:
    line = "      credit_line: {interest_rate: 0.01, fee_rate: 0.001}"

    with pytest.raises(fs.ScenarioError, match="fee_rate is charged on the limit"):
        fs.loads(SHORT_OF_CASH.format(initial=500, financing=line))


def test_loan_repaid_before_it_arrives_is_rejected() -> None:
    loan = (
        "      loans: [{name: bank, amount: 800, period: 2, interest_rate: 0.02, "
        "repayment_period: 2}]"
    )

    with pytest.raises(fs.ScenarioError, match="repayment_period \\(2\\) must come after"):
        fs.loads(SHORT_OF_CASH.format(initial=500, financing=loan))
