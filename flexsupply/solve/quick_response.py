"""The value of quick response: the rolling policy against the static plan, in money.

``simulate_rolling`` scores three policies on the same demand samples: the static plan (its
first stage kept, each sample's reorders the best recourse once the sample is revealed), the
rolling policy that replans every K periods from the actuals (``rolling.py``), and the
mean-demand plan. The value of quick response is the mean of the per-sample profit differences
rolling − static, with the Student-t 95 % confidence interval of the paired differences
(``intervals.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from flexsupply.model.build import FirstStage
from flexsupply.scenario import Scenario
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.intervals import Interval, intervals_dict, mean_interval
from flexsupply.solve.lever_stage import with_plan_levers
from flexsupply.solve.rolling import rolling_outcomes
from flexsupply.solve.rolling_replan import REPLAN_SCENARIOS
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.simulate import (
    PolicyResult,
    SimulationReport,
    first_stage_from_orders,
    sample_demand,
    simulate,
)


@dataclass(frozen=True)
class RollingReport:
    """Static, rolling and mean-demand policies on the same samples, and what rolling is worth.

    Attributes:
        simulation: the policies' distributions (``static plan``, ``rolling every K``, and the
            baselines of ``simulate``: ``mean-demand plan``, ``newsvendor``).
        every: K, periods between replans.
        profit: mean profit of each policy with its 95 % interval [currency].
        quick_response: mean of rolling − static profit per sample, 95 % interval [currency].
    """

    simulation: SimulationReport
    every: int
    profit: dict[str, Interval]
    quick_response: Interval

    def to_dict(self) -> dict[str, Any]:
        """Returns the report as JSON-ready data."""
        return {
            **self.simulation.to_dict(),
            "every": self.every,
            "profit_interval": intervals_dict(self.profit),
            "value_of_quick_response": self.quick_response.to_dict(),
        }

    def summary(self) -> str:
        """Returns the policies' table, their mean profit intervals and the value of quick response."""
        cur = self.simulation.currency
        lines = [self.simulation.summary(), "", f"Mean profit, 95 % interval [{cur}]"]
        for name, i in self.profit.items():
            lines.append(f"  {name:<22}{i.mean:>12,.0f}  [{i.low:,.0f} … {i.high:,.0f}]")
        q = self.quick_response
        lines.append(
            f"Value of quick response (rolling every {self.every} − static, per sample): "
            f"{q.mean:,.0f} {cur}  [{q.low:,.0f} … {q.high:,.0f}] over {q.samples} samples"
        )
        return "\n".join(lines)


def simulate_rolling(
    scenario: Scenario,
    first_stage: FirstStage | None = None,
    *,
    every: int,
    samples: int = 100,
    seed: int = 0,
    settings: SolveSettings | None = None,
    workers: int | None = None,
    dask: str | None = None,
    baselines: bool = True,
    replan_seconds: float | None = None,
    replan_scenarios: int | None = REPLAN_SCENARIOS,
) -> RollingReport:
    """Scores the static plan, the rolling policy and the mean-demand plan on the same samples.

    Args:
        scenario: the validated scenario.
        first_stage: the season plan's first stage (default: solve the scenario's plan).
        every: K, periods between replans (at least 1; K ≥ T is the static policy).
        samples: number of demand samples N.
        seed: seed of the samples; the same seed gives the same report.
        settings: solver settings of every solve; ``settings.time_limit`` covers the whole
            call: samples reached when no time is left are counted as not solved.
        workers: parallel processes (default: the CPUs); results do not depend on it.
        dask: run the samples on Dask: a scheduler address, or ``local``.
        baselines: also score the mean-demand plan and the newsvendor first batch.
        replan_seconds: each replan of the rolling policy stops after this many seconds with
            its best plan (None: only ``settings.time_limit`` bounds it).
        replan_scenarios: demand scenarios each replan keeps at most, reduced from the updated
            demand (None: as many as the scenario states; ``rolling_replan.replan_demand``).

    Returns:
        The ``RollingReport``.

    Raises:
        ValueError: ``every`` is below 1, ``replan_seconds`` is not a positive finite number, or
            ``replan_scenarios`` is below 1.
        SolveError: no season plan (when ``first_stage`` is not given) or no mean-demand plan.
    """
    if every < 1:
        raise ValueError("every must be at least 1 period")
    if replan_seconds is not None and not (math.isfinite(replan_seconds) and replan_seconds > 0):
        raise ValueError(f"replan_seconds must be a positive finite number, not {replan_seconds}")
    if replan_scenarios is not None and replan_scenarios < 1:
        raise ValueError(f"replan_scenarios must be at least 1, not {replan_scenarios}")
    settings = settings or SolveSettings()
    deadline = Deadline(settings.time_limit)
    if first_stage is None:
        from flexsupply.solve.engine import solve_within

        plan = solve_within(scenario, settings, deadline)
        first_stage = with_plan_levers(
            first_stage_from_orders(scenario, plan.orders), scenario, plan.levers
        )
    futures, source = sample_demand(scenario, samples, seed)
    left = deadline.left()
    static = simulate(
        scenario,
        first_stage,
        demand=futures,
        settings=settings if left is None else settings.with_flags(time_limit=left),
        workers=workers,
        seed=seed,
        dask=dask,
        baselines=baselines,
    )
    rolling = PolicyResult(
        f"rolling every {every}",
        rolling_outcomes(
            scenario,
            first_stage,
            futures,
            every,
            settings,
            deadline,
            workers,
            dask,
            replan_seconds,
            replan_scenarios,
        ),
        futures.probabilities,
    )
    plan_policy = replace(static.policy("plan"), name="static plan")
    policies = [plan_policy, rolling, *static.policies[1:]]
    report = replace(static, source=source, policies=policies)
    return RollingReport(
        simulation=report,
        every=every,
        profit={p.name: mean_interval(p.profits) for p in policies},
        quick_response=mean_interval(rolling.profits - plan_policy.profits),
    )


__all__ = ["RollingReport", "simulate_rolling"]
