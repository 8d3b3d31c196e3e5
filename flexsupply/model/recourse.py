"""Priced recourse: a credit line, term loans and an overflow store.

Each turns a hard limit into a price, so a first batch fixed in advance (the mean-demand plan of
the stochastic report, or a plan evaluated on fresh demand) keeps a feasible recourse in every
scenario: cash short of the floor is borrowed at interest, stock beyond the warehouse is stored
at a third party per unit and period. A limit stays hard where the scenario gives no price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import IntArray
from flexsupply.model.program import ProgramBuilder
from flexsupply.model.terms import MoneyLedger
from flexsupply.scenario import Scenario


@dataclass(frozen=True)
class RecourseColumns:
    """Column indices of the priced recourse (empty arrays where the scenario offers none).

    ``credit``: drawn balance of the credit line at the end of each period, ``(T, Ω)``;
    ``loans``: amount borrowed on each term loan, ``(n_loans, Ω)`` (one column repeated across
    ω for a loan taken before the reveal period); ``overflow``: units stored beyond the warehouse
    capacity at the end of each period, ``(T, Ω)``.
    """

    credit: IntArray
    loans: IntArray
    overflow: IntArray
    credit_rate: float
    """Interest per period on the drawn balance, i_B [share/period] (0 without a line)."""


def add_recourse(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    scenario: Scenario,
    reveal: int,
    cash_rows: IntArray,
    warehouse_rows: IntArray,
    n_scen: int,
) -> RecourseColumns:
    """Adds the credit line, term loans and overflow store the scenario offers, and their money.

    ``cash_rows`` are the cash balance rows ``(T, Ω)`` (empty without cash), written
    ``C[t] − C[t−1] + outflows − inflows = fixed inflows``; ``warehouse_rows`` the warehouse
    rows ``(T, Ω)`` (empty without a capacity).

    Returns:
        The recourse columns for the plan.
    """
    periods = scenario.horizon.periods
    scen = np.arange(n_scen)[None, :]
    none = np.zeros((0, n_scen), dtype=np.int64)
    overflow = none
    cost = scenario.warehouse.overflow_cost
    if cost is not None and warehouse_rows.size:
        overflow = builder.add_columns("overflow", (periods, n_scen))
        builder.add_terms(warehouse_rows, overflow, -1.0)
        ledger.add("overflow_storage", overflow, cost, scen)
        if cash_rows.size:
            builder.add_terms(cash_rows, overflow, cost)
    cash = scenario.cash
    if cash is None:
        return RecourseColumns(none, none, overflow, 0.0)
    credit, rate = none, 0.0
    line = cash.credit_line
    if line is not None:
        rate = line.interest_rate
        limit = np.inf if line.limit is None else line.limit
        credit = builder.add_columns("credit_balance", (periods, n_scen), 0.0, limit)
        # The balance of t is drawn into t's cash and, with its interest, paid back in t + 1
        # (redrawn there as needed); the interest on the last balance falls due after T.
        builder.add_terms(cash_rows, credit, -1.0)
        builder.add_terms(cash_rows[1:], credit[:-1], 1.0 + rate)
        ledger.add("interest", credit, rate, scen)
        if line.limit is not None and line.fee_rate > 0:
            fee = line.fee_rate * line.limit
            builder.add_to_bounds(cash_rows, -fee)
            ledger.add_constant("credit_fee", fee * periods)
    loans = _add_loans(builder, ledger, scenario, reveal, cash_rows)
    return RecourseColumns(credit, loans, overflow, rate)


def _add_loans(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    scenario: Scenario,
    reveal: int,
    cash_rows: IntArray,
) -> IntArray:
    """Adds one amount per term loan: in at its period, interest each period, back at repayment.

    Returns:
        The loan columns, ``(n_loans, Ω)``.
    """
    loans = scenario.cash.loans if scenario.cash is not None else []
    n_scen = cash_rows.shape[1]
    if not loans:
        return np.zeros((0, n_scen), dtype=np.int64)
    amount = np.array([loan.amount for loan in loans], dtype=float)
    taken = np.array([loan.period - 1 for loan in loans], dtype=np.int64)
    repaid = np.array([loan.repayment_period - 1 for loan in loans], dtype=np.int64)
    rate = np.array([loan.interest_rate for loan in loans], dtype=float)
    shared = taken < reveal
    columns = np.empty((len(loans), n_scen), dtype=np.int64)
    # A loan taken before demand is revealed is one decision for every scenario.
    for name, mine, width in (("loan_shared", shared, 1), ("loan_reorder", ~shared, n_scen)):
        if mine.any():
            bound = amount[mine][:, None]
            columns[mine] = builder.add_columns(name, (int(mine.sum()), width), 0.0, bound)
    t = np.arange(cash_rows.shape[0])[None, :, None]
    flow = np.where(t == taken[:, None, None], -1.0, 0.0)
    paying = (t > taken[:, None, None]) & (t <= repaid[:, None, None])
    flow = flow + np.where(paying, rate[:, None, None], 0.0)
    flow = flow + np.where(t == repaid[:, None, None], 1.0, 0.0)
    builder.add_terms(cash_rows[None, :, :], columns[:, None, :], flow)
    scen = np.where(shared[:, None], -1, np.arange(n_scen)[None, :])
    interest = (rate * (repaid - taken))[:, None]
    ledger.add("interest", columns[shared, :1], interest[shared], -1)
    ledger.add("interest", columns[~shared], interest[~shared], scen[~shared])
    return columns
