"""One replan of the rolling policy: the season left, its scenarios, solved style by style.

A replan of the rolling policy is a whole stochastic program (periods left × scenarios ×
styles). Like a sample's recourse (``by_style.py``), it falls apart into one stochastic
lot-sizing problem per style (its scenarios and its non-anticipativity inside the style), tied
only by the rows that link styles (factory capacity, cash, the warehouse): the LP duals price
those rows, each style's MILP gives the Lagrangian bound, the on/off decisions are fixed and one
LP gives the plan. A plan within the gap of the bound is proven; otherwise the whole MILP runs
through the chosen backend, started from that plan (the same path as ``solve_program``).

A replan may also keep fewer scenarios than the season plan (``replan_scenarios``): the updated
demand is reduced by the project's scenario reduction (``demand.reduction``), from the signal
model's samples when the scenario gives signals.
"""

from __future__ import annotations

from flexsupply.backends import SolverResult
from flexsupply.demand import DemandScenarios, reduce_scenarios
from flexsupply.model import build_program
from flexsupply.model.build import ModelMap
from flexsupply.scenario import Scenario
from flexsupply.scenario.actuals import Actuals
from flexsupply.solve.by_style import split_then_whole
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.reanchor import updated_demand
from flexsupply.solve.settings import SolveSettings

REPLAN_SCENARIOS = 5
"""Demand scenarios a replan of the rolling policy keeps by default: on spring-drop a replan
by style takes about a third of the CPU time of one with the season's 15
(``benchmarks/results/simulate-rolling.md``)."""


DRAWS_PER_SCENARIO = 200
"""Signal-model seasons a replan that keeps fewer scenarios draws per scenario kept (at most
``signals.samples``): at 10,000 draws, drawing and reducing took over a quarter of a
spring-drop sample's CPU time under the rolling policy."""


def replan_demand(season: Scenario, actuals: Actuals, kept: int | None = None) -> DemandScenarios:
    """Returns the season's spot demand updated with the actuals, in at most ``kept`` scenarios.

    Args:
        season: the season's scenario.
        actuals: what happened up to the as-of period.
        kept: scenarios a replan keeps, at most as many as the scenario states (None: all of
            them). Signal demand is drawn and reduced straight to ``kept``
            (``DRAWS_PER_SCENARIO`` draws a scenario kept, the scenario's reduction and seed);
            other demand keeps its updated scenarios, reduced to ``kept`` by the scenario's reduction (k-means, seed 0, unless
            ``demand.parametric`` says otherwise) when there are more.

    Returns:
        ``DemandScenarios`` over all T periods, probabilities summing to 1.
    """
    signals = season.demand.signals
    if kept is not None and signals is not None and kept < signals.scenarios_kept:
        draws = min(signals.samples, DRAWS_PER_SCENARIO * kept)
        fewer = signals.model_copy(update={"scenarios_kept": kept, "samples": draws})
        season = season.model_copy(
            update={"demand": season.demand.model_copy(update={"signals": fewer})}
        )
    future = updated_demand(season, actuals)
    if kept is None or signals is not None or kept >= future.n_scenarios:
        return future
    parametric = season.demand.parametric
    method, seed = ("kmeans", 0) if parametric is None else (parametric.reduction, parametric.seed)
    return reduce_scenarios(future, kept, method, seed).scenarios


def solve_replan(
    scenario: Scenario, demand: DemandScenarios, settings: SolveSettings, deadline: Deadline
) -> tuple[SolverResult, ModelMap]:
    """Solves a re-anchored season's stochastic program, style by style when it can.

    The split is tried as for a sample's recourse (``by_style_first``: method ``auto`` on
    programs of ``AUTO_MIN_INTEGERS`` integer columns or more, always with ``decompose``, never
    with ``monolithic``); when its plan is not proven within ``settings.gap`` the backend solves
    the whole program from it, with the time left on ``deadline`` and ``settings.node_limit``.

    Returns:
        ``(SolverResult, ModelMap)``: objective and bound in the program's sense [currency];
        the result may have no plan (see its status).
    """
    program, model = build_program(scenario, demand)
    return split_then_whole(program, settings, deadline, split=True), model


__all__ = ["REPLAN_SCENARIOS", "replan_demand", "solve_replan"]
