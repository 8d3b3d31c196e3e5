"""Risk and service-level blocks: CVaR of loss and expected service targets as linear rows.

CVaR follows Rockafellar & Uryasev (2000): for losses L[ω] with probabilities π[ω],

    CVaR_α(L) = min_η  η + Σ_ω π[ω]·(L[ω] − η)^+ / (1 − α),

so with a free threshold η and excess u[ω] ≥ L[ω] − η, u ≥ 0, the term is linear. The loss is
−profit (``max_profit``) or the cost (``min_cost``), read from the money ledger scenario by
scenario, so it is exactly the objective's own money.

Service targets are expectations over scenarios, each one row:

    Σ_ω π[ω] Σ_{p,t} S[p,t,ω] ≥ β · Σ_ω π[ω] Σ_{p,t} D[ω,p,t]                (service_fill_rate)
    Σ_ω π[ω] Σ_r Σ_{t ≤ due[r]} Z[r,t,ω] ≥ β_r · Σ_r κ[r] q[r]             (service_presale_on_time)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.data import ModelData
from flexsupply.model.program import ProgramBuilder
from flexsupply.model.terms import MoneyLedger

PROBABILITY_TOLERANCE = 1e-12
"""Slack when comparing cumulative probabilities with α (sums of floats)."""


def loss_kinds(objective_kinds: dict[str, float], maximize: bool) -> dict[str, float]:
    """Returns the money kinds with their signs in the loss: −objective when maximising, else it."""
    flip = -1.0 if maximize else 1.0
    return {kind: flip * sign for kind, sign in objective_kinds.items()}


@dataclass(frozen=True)
class CvarColumns:
    """Columns of the CVaR block: threshold η ``(1,)`` and excess u ``(Ω,)``.

    Attributes:
        threshold: column of η, the value at risk at the optimum [currency].
        excess: columns of u[ω] = (L[ω] − η)^+ [currency].
        weight: λ, the weight of CVaR in the objective.
        alpha: the confidence level α.
    """

    threshold: IntArray
    excess: IntArray
    weight: float
    alpha: float

    def objective(self, n_columns: int, probabilities: FloatArray, maximize: bool) -> FloatArray:
        """Returns the objective coefficients of ``λ·CVaR`` (subtracted when maximising)."""
        sign = -1.0 if maximize else 1.0
        coefficients = np.zeros(n_columns)
        coefficients[self.threshold] = sign * self.weight
        coefficients[self.excess] = sign * self.weight * probabilities / (1.0 - self.alpha)
        return coefficients


def add_cvar(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    kinds: dict[str, float],
    maximize: bool,
    weight: float,
    alpha: float,
) -> CvarColumns:
    """Adds η, u and the rows ``u[ω] + η − L[ω](x) ≥ 0`` for the loss of the objective ``kinds``.

    Call after every money term is in the ledger.

    Returns:
        The CVaR columns; their objective coefficients come from ``CvarColumns.objective``.
    """
    n_scen = ledger.n_scenarios
    scenario, cols, coefs, constant = ledger.by_scenario(loss_kinds(kinds, maximize))
    threshold = builder.add_columns("cvar_threshold", (1,), -np.inf, np.inf)
    excess = builder.add_columns("cvar_excess", (n_scen,), 0.0, np.inf)
    rows = builder.add_rows("cvar_excess", (n_scen,), lower=constant)
    builder.add_terms(rows, excess, 1.0)
    builder.add_terms(rows, threshold, 1.0)
    builder.add_terms(rows[scenario], cols, -coefs)
    return CvarColumns(threshold, excess, weight, alpha)


def add_service_levels(
    builder: ProgramBuilder,
    data: ModelData,
    demand: FloatArray,
    probabilities: FloatArray,
    sales: IntArray,
    shipments: IntArray,
    min_fill_rate: float | None,
    min_presale_on_time: float | None,
) -> None:
    """Adds the expected fill-rate and presale on-time rows (each only when its target is set).

    ``demand`` is ``(Ω, P, T)``; ``sales`` ``(P, T, Ω)`` and ``shipments`` ``(R, T, Ω)`` columns.
    """
    n_scen = demand.shape[0]
    weights = np.broadcast_to(probabilities, (*sales.shape[:2], n_scen))
    expected_demand = float(probabilities @ demand.sum(axis=(1, 2)))
    if min_fill_rate is not None and expected_demand > 0:
        row = builder.add_rows("service_fill_rate", (1,), lower=min_fill_rate * expected_demand)
        builder.add_terms(row, sales.ravel(), weights.ravel())
    pre = data.presale
    units = float(pre.units_to_ship.sum())
    if min_presale_on_time is not None and units > 0:
        on_time = np.arange(data.n_periods)[None, :] <= pre.due[:, None]
        ship_weights = on_time[:, :, None] * probabilities[None, None, :]
        row = builder.add_rows("service_presale_on_time", (1,), lower=min_presale_on_time * units)
        builder.add_terms(row, shipments.ravel(), ship_weights.ravel())


def cvar(losses: FloatArray, probabilities: FloatArray, alpha: float) -> float:
    """Returns CVaR_α of a discrete loss distribution: the mean of its worst 1 − α tail.

    Evaluates the Rockafellar–Uryasev function at η = VaR_α (the smallest loss whose cumulative
    probability reaches α), where it is smallest.

    Args:
        losses: loss per scenario, shape ``(Ω,)`` [currency].
        probabilities: probability per scenario, shape ``(Ω,)``; sums to 1.
        alpha: confidence level in (0, 1).

    Returns:
        CVaR_α [currency].
    """
    losses = np.asarray(losses, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    order = np.argsort(losses, kind="stable")
    cumulative = np.cumsum(probabilities[order])
    k = int(np.searchsorted(cumulative, alpha - PROBABILITY_TOLERANCE, side="left"))
    var = float(losses[order][min(k, len(losses) - 1)])
    tail = float(probabilities @ np.maximum(losses - var, 0.0))
    return var + tail / (1.0 - alpha)


def scenario_losses(
    ledger: MoneyLedger, x: FloatArray, kinds: dict[str, float], maximize: bool
) -> FloatArray:
    """Returns the loss of the objective ``kinds`` in each scenario for solution ``x``, ``(Ω,)``."""
    losses = np.zeros(ledger.n_scenarios)
    for kind, sign in loss_kinds(kinds, maximize).items():
        losses += sign * ledger.terms[kind].per_scenario(x, ledger.n_scenarios)
    return losses
