"""Money terms of the objective, kept by kind so KPIs and the objective come from one source."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from flexsupply.arrays import FloatArray, IntArray

REVENUE_KINDS = (
    "spot_sales",
    "presale_deposits",
    "presale_balance",
    "salvage",
    "clearance",
    "cancellation_savings",
)
"""Money that comes in [currency]; ``cancellation_savings`` is the value of committed units
cancelled, which is no longer paid (``model/cancel.py``)."""
COST_KINDS = (
    "purchase",
    "material_purchase",
    "setup",
    "onboarding",
    "holding",
    "goodwill",
    "backlog",
    "late_shipment",
    "refunds",
    "return_handling",
    "deposit_expansion",
    "interest",
    "credit_fee",
    "overflow_storage",
    "cancellation",
    "marketing",
    "commission",
    "markdown",
)
"""Money that goes out, is charged as a penalty, or is conceded (``deposit_expansion``: the
balance discount presale deposits earn beyond their face value) [currency]. ``interest`` and
``credit_fee`` are the price of financing, ``overflow_storage`` of stock kept beyond the
warehouse (``model/recourse.py``), ``cancellation`` what suppliers charge for cancelled
committed orders; ``marketing``, ``commission`` and ``markdown`` the price of the demand-side
levers (``model/levers.py``)."""


@dataclass
class MoneyTerm:
    """Linear money of one kind: ``Σ coefs·x[cols]`` plus a constant, split by scenario.

    ``scenario[i] = -1`` marks an entry that is the same in every scenario (a shared decision).
    """

    cols: list[IntArray] = field(default_factory=list)
    coefs: list[FloatArray] = field(default_factory=list)
    scenario: list[IntArray] = field(default_factory=list)
    constant: FloatArray | None = None

    def flat(self) -> tuple[IntArray, FloatArray, IntArray]:
        """Returns all entries as flat arrays ``(cols, coefs, scenario)``."""
        if not self.cols:
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0), empty
        return np.concatenate(self.cols), np.concatenate(self.coefs), np.concatenate(self.scenario)

    def per_scenario(self, x: FloatArray, n_scenarios: int) -> FloatArray:
        """Returns the money of this kind in each scenario for solution ``x``, shape ``(Ω,)``."""
        cols, coefs, scenario = self.flat()
        values = coefs * x[cols]
        totals = np.zeros(n_scenarios)
        shared = scenario < 0
        np.add.at(totals, scenario[~shared], values[~shared])
        totals += values[shared].sum()
        if self.constant is not None:
            totals += self.constant
        return totals


class MoneyLedger:
    """All money terms of a model by kind, filled while the model is built."""

    def __init__(self, n_scenarios: int) -> None:
        self.n_scenarios = n_scenarios
        self.terms: dict[str, MoneyTerm] = {
            kind: MoneyTerm() for kind in (*REVENUE_KINDS, *COST_KINDS)
        }

    def add(
        self,
        kind: str,
        cols: IntArray,
        coefs: float | FloatArray,
        scenario: int | IntArray,
        where: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        """Adds money ``coefs·x[cols]`` of ``kind`` (arrays broadcast; ``where`` masks them)."""
        cols_b, coefs_b, scen_b = np.broadcast_arrays(
            cols, np.asarray(coefs, dtype=float), np.asarray(scenario, dtype=np.int64)
        )
        keep = (cols_b >= 0) & (coefs_b != 0)
        if where is not None:
            keep &= np.broadcast_to(where, keep.shape)
        term = self.terms[kind]
        term.cols.append(cols_b[keep].astype(np.int64))
        term.coefs.append(coefs_b[keep].astype(float))
        term.scenario.append(scen_b[keep].astype(np.int64))

    def add_constant(self, kind: str, per_scenario: float | FloatArray) -> None:
        """Adds a money amount of ``kind`` that no decision changes, per scenario or for all."""
        term = self.terms[kind]
        amount = np.broadcast_to(np.asarray(per_scenario, dtype=float), (self.n_scenarios,))
        term.constant = amount.copy() if term.constant is None else term.constant + amount

    def objective(
        self, n_columns: int, probabilities: FloatArray, kinds: dict[str, float]
    ) -> tuple[FloatArray, float]:
        """Returns expected-value objective coefficients and offset for ``kinds`` → sign.

        Returns:
            ``(coefficients of shape (n_columns,), constant offset)`` [currency].
        """
        objective = np.zeros(n_columns)
        offset = 0.0
        for kind, sign in kinds.items():
            term = self.terms[kind]
            cols, coefs, scenario = term.flat()
            weight = np.where(scenario < 0, 1.0, probabilities[np.maximum(scenario, 0)])
            np.add.at(objective, cols, sign * weight * coefs)
            if term.constant is not None:
                offset += sign * float(probabilities @ term.constant)
        return objective, offset

    def by_scenario(
        self, kinds: dict[str, float]
    ) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """Returns ``Σ_kind sign·money`` in each scenario as linear expressions.

        Shared entries (a first-stage decision) are repeated in every scenario.

        Returns:
            ``(scenario, cols, coefs, constant)``: entry i adds ``coefs[i]·x[cols[i]]`` to the
            expression of ``scenario[i]``; ``constant`` has shape ``(Ω,)`` [currency].
        """
        scenarios: list[IntArray] = []
        columns: list[IntArray] = []
        coefficients: list[FloatArray] = []
        constant = np.zeros(self.n_scenarios)
        every = np.arange(self.n_scenarios, dtype=np.int64)
        for kind, sign in kinds.items():
            term = self.terms[kind]
            cols, coefs, scenario = term.flat()
            shared = scenario < 0
            scenarios += [scenario[~shared], np.repeat(every, int(shared.sum()))]
            columns += [cols[~shared], np.tile(cols[shared], self.n_scenarios)]
            coefficients += [sign * coefs[~shared], np.tile(sign * coefs[shared], self.n_scenarios)]
            if term.constant is not None:
                constant += sign * term.constant
        return (
            np.concatenate(scenarios) if scenarios else np.zeros(0, dtype=np.int64),
            np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64),
            np.concatenate(coefficients) if coefficients else np.zeros(0),
            constant,
        )
