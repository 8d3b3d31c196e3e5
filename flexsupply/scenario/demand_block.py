"""The ``demand`` block of a scenario: a table, weighted scenarios, signals or distributions."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from flexsupply.scenario.base import Id, Model, Share, Units
from flexsupply.scenario.parametric import ParametricDemand
from flexsupply.scenario.signals import SignalDemand


class DemandScenario(Model):
    """One possible future of spot demand."""

    name: Id
    """Label of this scenario, e.g. ``hit``: unique even ignoring case, spaces and invisibles."""
    probability: Share
    """Probability of this scenario; the probabilities of all scenarios add up to 1. Symbol: π[ω]."""
    units: dict[str, list[Units]]
    """Spot demand per product id, one number per period [units]. Products not listed have none.
    Symbol: D[ω,p,t]."""
    nodes: list[Id] = Field(default_factory=list)
    """With ``later_reveal_periods``: the tree node of this scenario in each stage that starts at
    a reveal point and ends at the next, e.g. ``[strong]``; scenarios of one node share its orders."""


class Demand(Model):
    """Spot demand: one deterministic table, scenarios with probabilities, signals or distributions."""

    units: dict[str, list[Units]] | None = None
    """Deterministic spot demand per product id, one number per period [units]."""
    scenarios: list[DemandScenario] | None = None
    """Possible futures with probabilities (alternative to ``units``)."""
    signals: SignalDemand | None = None
    """Fan-side signals from which scenarios are sampled, updated with the presale deposits and
    reduced to ``signals.scenarios_kept`` weighted scenarios (alternative to ``units``)."""
    parametric: ParametricDemand | None = None
    """A distribution per style and period (normal, lognormal or negative binomial), correlated
    across styles, from which scenarios are sampled and reduced to ``parametric.scenarios_kept``
    weighted scenarios; ``simulate`` draws fresh samples from it (alternative to ``units``)."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        forms = (self.units, self.scenarios, self.signals, self.parametric)
        if sum(form is not None for form in forms) != 1:
            raise ValueError(
                "give exactly one of units (deterministic), scenarios, signals or parametric"
            )
        return self

    @property
    def scenario_count(self) -> int:
        """Number of demand scenarios the plan is made for (Ω)."""
        if self.signals is not None:
            return self.signals.scenarios_kept
        if self.parametric is not None:
            return self.parametric.scenarios_kept
        return len(self.scenarios) if self.scenarios is not None else 1

    def as_scenarios(self) -> list[DemandScenario]:
        """Returns the demand as a list of scenarios (one with probability 1 when deterministic).

        Raises:
            ValueError: the demand is given by signals or distributions; sample it with
                ``flexsupply.demand.demand_scenarios(scenario)``.
        """
        if self.signals is not None or self.parametric is not None:
            raise ValueError(
                "sampled demand (signals or parametric): use "
                "flexsupply.demand.demand_scenarios(scenario)"
            )
        if self.scenarios is not None:
            return self.scenarios
        return [DemandScenario(name="deterministic", probability=1.0, units=self.units or {})]


__all__ = ["Demand", "DemandScenario"]
