"""The plan's financing and overflow storage per period, read from the recourse columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from flexsupply.arrays import FloatArray, IntArray

if TYPE_CHECKING:
    from flexsupply.model.build import ModelMap
    from flexsupply.scenario import Scenario


@dataclass(frozen=True)
class LoanTaken:
    """How much of one term loan the plan borrows."""

    name: str
    period: int
    """Period the money arrives (1-based)."""
    repayment_period: int
    """Period it is paid back (1-based)."""
    amount: list[float]
    """Amount borrowed in each demand scenario, in the plan's scenario order [currency]."""


@dataclass(frozen=True)
class Financing:
    """Credit line, term loans and overflow storage per scenario and period.

    Arrays are ``(Ω, T)``: ``balance`` is the credit drawn at the end of each period, ``draws``
    and ``repayments`` its rises and falls, ``interest`` the interest that falls due in each
    period on the line and the loans (the interest on the line's last balance falls due after T
    and is in the profit, not here); ``overflow`` the units stored beyond the warehouse.
    """

    balance: FloatArray
    draws: FloatArray
    repayments: FloatArray
    interest: FloatArray
    loans: list[LoanTaken]
    overflow: FloatArray

    def to_dict(self, probabilities: FloatArray, names: list[str]) -> dict[str, Any]:
        """Returns the expected values per period, each scenario's, and the loans, JSON-ready.

        Returns:
            ``expected`` and ``by_scenario`` tables of ``ARRAYS`` [currency; overflow in units]
            and the ``loans`` with the amount borrowed per scenario.
        """

        def rounded(values: FloatArray) -> list[float]:
            return [round(float(v), 4) for v in values]

        arrays = dict(zip(ARRAYS, self._arrays(), strict=True))
        return {
            "expected": {key: rounded(probabilities @ values) for key, values in arrays.items()},
            "by_scenario": {
                name: {key: rounded(values[w]) for key, values in arrays.items()}
                for w, name in enumerate(names)
            },
            "loans": [
                {
                    "name": loan.name,
                    "period": loan.period,
                    "repayment_period": loan.repayment_period,
                    "amount": rounded(np.asarray(loan.amount)),
                }
                for loan in self.loans
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], names: list[str]) -> Financing:
        """Returns the financing ``to_dict`` wrote, for the scenarios ``names`` in that order."""
        tables = [
            np.array([data["by_scenario"][name][key] for name in names], dtype=float)
            for key in ARRAYS
        ]
        loans = [
            LoanTaken(
                str(loan["name"]),
                int(loan["period"]),
                int(loan["repayment_period"]),
                [float(v) for v in loan["amount"]],
            )
            for loan in data.get("loans", [])
        ]
        balance, draws, repayments, interest, overflow = tables
        return cls(balance, draws, repayments, interest, loans, overflow)

    def _arrays(self) -> tuple[FloatArray, ...]:
        return (self.balance, self.draws, self.repayments, self.interest, self.overflow)


ARRAYS = ("credit_balance", "draws", "repayments", "interest", "overflow_units")
"""The per-period tables of a Financing as plan.json names them, in ``_arrays`` order."""


def read_financing(scenario: Scenario, model: ModelMap, x: FloatArray) -> Financing | None:
    """Returns the plan's financing and overflow storage, or None when the scenario has neither.

    Returns:
        ``Financing`` with arrays ``(Ω, T)`` [currency; overflow in units].
    """
    recourse = model.recourse
    if not (recourse.credit.size or recourse.loans.size or recourse.overflow.size):
        return None
    n_scen, periods = model.demand.n_scenarios, model.data.n_periods

    def values(cols: IntArray) -> FloatArray:
        if not cols.size:
            return np.zeros((n_scen, periods))
        return np.asarray(x[cols].T, dtype=float)

    balance = values(recourse.credit)
    before = np.concatenate([np.zeros((n_scen, 1)), balance[:, :-1]], axis=1)
    change = balance - before
    interest = recourse.credit_rate * before
    loans: list[LoanTaken] = []
    offered = scenario.cash.loans if scenario.cash is not None else []
    t = np.arange(periods)
    for k, loan in enumerate(offered):
        amount = x[recourse.loans[k]]
        paying = (t >= loan.period) & (t < loan.repayment_period)
        interest += loan.interest_rate * amount[:, None] * paying[None, :]
        loans.append(
            LoanTaken(loan.name, loan.period, loan.repayment_period, [float(a) for a in amount])
        )
    return Financing(
        balance=balance,
        draws=np.maximum(change, 0.0),
        repayments=np.maximum(-change, 0.0),
        interest=interest,
        loans=loans,
        overflow=values(recourse.overflow),
    )
