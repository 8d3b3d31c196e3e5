"""Demand scenarios as arrays: spot demand per (scenario, product, period) with probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flexsupply.scenario import Scenario


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


def demand_scenarios(scenario: Scenario) -> DemandScenarios:
    """Returns the spot demand the scenario states, as arrays (products in file order).

    Demand given by signals is sampled from the model updated with the presale deposits and
    reduced to ``signals.scenarios_kept`` weighted scenarios, the same ones for the same seed.

    Returns:
        ``DemandScenarios``; products a table or the signals leave out have zero demand.
    """
    if scenario.demand.signals is not None:
        # Imported here: the signal pipeline builds on DemandScenarios from this module.
        from flexsupply.demand.forecast import signal_scenarios

        return signal_scenarios(scenario).scenarios
    futures = scenario.demand.as_scenarios()
    index = {product_id: p for p, product_id in enumerate(scenario.product_ids)}
    units = np.zeros((len(futures), len(index), scenario.horizon.periods))
    for w, future in enumerate(futures):
        for product_id, values in future.units.items():
            units[w, index[product_id], :] = values
    probabilities = np.array([future.probability for future in futures], dtype=float)
    return DemandScenarios(units, probabilities, [future.name for future in futures])
