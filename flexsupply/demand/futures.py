"""The demand scenarios a scenario states: its tables and scenarios, or sampled and reduced."""

from __future__ import annotations

import numpy as np

from flexsupply.demand.forecast import signal_scenarios
from flexsupply.demand.parametric import parametric_scenarios
from flexsupply.demand.scenarios import DemandScenarios
from flexsupply.scenario import Scenario


def demand_scenarios(scenario: Scenario) -> DemandScenarios:
    """Returns the spot demand the scenario states, as arrays (products in file order).

    Demand given by signals is sampled from the model updated with the presale deposits and
    reduced to ``signals.scenarios_kept`` weighted scenarios, the same ones for the same seed;
    demand given by distributions (``parametric``) likewise, to ``parametric.scenarios_kept``.

    Returns:
        ``DemandScenarios``; products a table or the signals leave out have zero demand.
    """
    if scenario.demand.signals is not None:
        return signal_scenarios(scenario).scenarios
    if scenario.demand.parametric is not None:
        return parametric_scenarios(scenario).scenarios
    futures = scenario.demand.as_scenarios()
    index = {product_id: p for p, product_id in enumerate(scenario.product_ids)}
    units = np.zeros((len(futures), len(index), scenario.horizon.periods))
    for w, future in enumerate(futures):
        for product_id, values in future.units.items():
            units[w, index[product_id], :] = values
    probabilities = np.array([future.probability for future in futures], dtype=float)
    return DemandScenarios(units, probabilities, [future.name for future in futures])
