"""Demand: from what a scenario says about demand to sampled scenarios D[ω, product, period]."""

from flexsupply.demand.scenarios import DemandScenarios, demand_scenarios

__all__ = ["DemandScenarios", "demand_scenarios"]
