"""Demand scenarios as arrays: spot demand per (scenario, product, period) with probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class DemandScenarios:
    """Spot demand futures.

    Attributes:
        units: spot demand, shape ``(n_scenarios, n_products, n_periods)`` [units].
        probabilities: probability of each scenario, shape ``(n_scenarios,)``; sums to 1.
        names: label of each scenario.
    """

    units: npt.NDArray[np.float64]
    probabilities: npt.NDArray[np.float64]
    names: list[str]

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios Ω."""
        return int(self.units.shape[0])

    def expected(self) -> npt.NDArray[np.float64]:
        """Returns the probability-weighted demand, shape ``(n_products, n_periods)`` [units]."""
        expected: npt.NDArray[np.float64] = np.einsum("w,wpt->pt", self.probabilities, self.units)
        return expected
