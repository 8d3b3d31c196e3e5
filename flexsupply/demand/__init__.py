"""Demand: from what a scenario says about demand to sampled scenarios D[ω, product, period].

Demand given by fan-side signals goes signals → ``DemandModel`` → presale update → samples →
reduced scenarios (``signal_forecast``, ``signal_scenarios``); demand given by a distribution
per style and period goes ``ParametricModel`` → samples → reduced scenarios
(``parametric_model``, ``parametric_scenarios``); tables and listed scenarios are taken as they
are (``demand_scenarios``). ``spot_return_rates`` gives the return share of spot
sales that the channels imply.
"""

from flexsupply.demand.distribution import DemandModel
from flexsupply.demand.forecast import Forecast, forecast_report, signal_forecast, signal_scenarios
from flexsupply.demand.futures import demand_scenarios
from flexsupply.demand.parametric import ParametricModel, parametric_model, parametric_scenarios
from flexsupply.demand.reduction import Reduction, ReductionReport, reduce_scenarios
from flexsupply.demand.returns import spot_return_rates
from flexsupply.demand.scenarios import DemandScenarios

__all__ = [
    "DemandModel",
    "DemandScenarios",
    "Forecast",
    "ParametricModel",
    "Reduction",
    "ReductionReport",
    "demand_scenarios",
    "forecast_report",
    "parametric_model",
    "parametric_scenarios",
    "reduce_scenarios",
    "signal_forecast",
    "signal_scenarios",
    "spot_return_rates",
]
