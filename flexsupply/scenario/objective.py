"""What a plan optimises and the switches, risk and service targets that shape it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from flexsupply.scenario.base import Factor, Model, Real, Share


class Objective(StrEnum):
    """What the plan optimises."""

    MAX_PROFIT = "max_profit"
    MIN_COST = "min_cost"


class Options(Model):
    """Modelling switches."""

    integer_orders: bool = False
    """Let the engine search over whole units only (slower to solve). Without it the engine
    plans with continuous quantities and ``whole_pieces`` rounds the plan afterwards."""
    whole_pieces: bool = True
    """Round every order of the solved plan to whole units (the profit reported is the rounded
    plan's; the bound stays the engine's). On a big season the rounding goes style group by
    style group within the time limit; orders it could not round stay fractional and the
    plan's solver message says so. False keeps the engine's fractional quantities, as the
    textbook models (newsvendor, lot sizing) state them."""


class Risk(Model):
    """Aversion to bad seasons: the objective becomes E[profit] − λ·CVaR_α(loss)."""

    cvar_weight: Factor = 0.0
    """Weight of the CVaR of loss (loss = −profit; with ``min_cost``, the cost) against the
    expected value; 0 is risk-neutral [dimensionless]. Symbol: λ."""
    cvar_alpha: Real = Field(0.95, gt=0, lt=1)
    """Confidence level: CVaR_α is the expected loss in the worst 1 − α share of scenarios
    [probability]. Symbol: α."""


class Service(Model):
    """Service-level targets, each one linear constraint over the expected outcome."""

    min_fill_rate: Share | None = None
    """Least expected share of spot demand served: Σπ·S ≥ target·Σπ·D [share]. Symbol: β."""
    min_presale_on_time: Share | None = None
    """Least expected share of presale units shipped by their due period [share]. Symbol: β_r."""


__all__ = ["Objective", "Options", "Risk", "Service"]
