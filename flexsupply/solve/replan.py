"""Replan mid-season: a plan and the season's actuals ▶ a new plan for the periods left.

``replan`` re-anchors the scenario at the actuals' as-of period (``reanchor.py``: past fixed,
orders in transit arriving as scheduled, open presale promises kept, demand updated from the
realised sales, reveal period moved forward), solves it like ``flexsupply solve`` and, given
the plan being replaced, lists the orders the new plan adds, changes or cancels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flexsupply.backends import DEFAULT_BACKEND
from flexsupply.errors import FlexsupplyError
from flexsupply.files import write_text_atomic
from flexsupply.plan import Plan
from flexsupply.plan.order_changes import OrderChange, order_changes, order_changes_table
from flexsupply.plan.outputs import write_outputs
from flexsupply.scenario import Scenario, dump
from flexsupply.scenario.actuals import Actuals
from flexsupply.solve.engine import solve
from flexsupply.solve.reanchor import reanchor
from flexsupply.solve.settings import SolveSettings


@dataclass(frozen=True)
class Replan:
    """A replanned season.

    Attributes:
        as_of_period: a, the last season period the actuals cover; period t of ``plan`` and
            ``scenario`` is season period t + a.
        scenario: the re-anchored scenario the plan was made for.
        plan: the new plan for the periods left.
        changes: orders added, changed and cancelled against the old plan (empty without one).
    """

    as_of_period: int
    scenario: Scenario
    plan: Plan
    changes: list[OrderChange]

    @property
    def in_transit(self) -> int:
        """Number of purchase orders still to arrive that the new plan keeps."""
        return sum(o.supplier is not None and o.units > 0 for o in self.scenario.inbound)

    def _cancelled(self) -> int:
        """Returns how many committed orders the new plan cancels or reduces."""
        return sum(c.cancelled > 0 for c in self.plan.cancellations)

    def summary(self) -> str:
        """Returns a few readable lines: what was replanned, the KPIs and the order changes."""
        kpis = self.plan.kpis
        lines = [
            f"Replanned {self.scenario.name!r} after period {self.as_of_period}: "
            f"periods {self.as_of_period + 1}..{self.as_of_period + self.scenario.horizon.periods}",
            f"  expected profit of the periods left {kpis.expected_profit:,.0f} "
            f"{self.plan.currency}, fill rate {kpis.fill_rate:.1%}",
            f"  orders in transit kept: {self.in_transit}"
            + (f", cancelled or reduced: {cut}" if (cut := self._cancelled()) else ""),
            order_changes_table(self.changes),
        ]
        return "\n".join(lines)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Writes the plan files of ``write_outputs`` and ``scenario.yaml`` (re-anchored).

        Returns:
            The paths written; ``plan.json`` carries ``as_of_period``.
        """
        folder = Path(out_dir)
        written = write_outputs(self.plan, folder)
        written.append(write_text_atomic(folder / "scenario.yaml", dump(self.scenario)))
        return written


def replan(
    scenario: Scenario,
    actuals: Actuals,
    old_plan: Plan | None = None,
    solver: str | SolveSettings = DEFAULT_BACKEND,
    *,
    reveal_after: int = 1,
    **flags: Any,
) -> Replan:
    """Plans the rest of a season from its actuals.

    Args:
        scenario: the season's scenario.
        actuals: what happened up to the as-of period, checked against the scenario
            (``flexsupply.scenario.actuals_io.load_actuals``).
        old_plan: the plan being replaced (``Plan.from_json`` reads a plan.json), to list the
            order changes; it must be a plan of this scenario.
        solver: as for ``flexsupply.solve``: ``SolveSettings``, a backend or a profile.
        reveal_after: see ``reanchor``.
        **flags: settings that override ``solver``'s, as for ``flexsupply.solve``
            (``engine``, ``time_limit`` [seconds], ``gap``, ``threads``, ``seed``, …).

    Returns:
        The ``Replan``.

    Raises:
        FlexsupplyError: the old plan is for another scenario.
        ScenarioError: the actuals do not fit the scenario.
        SolveError: the periods left have no plan.
    """
    if old_plan is not None and old_plan.scenario_name != scenario.name:
        raise FlexsupplyError(
            f"the plan is for scenario {old_plan.scenario_name!r}, not {scenario.name!r}; "
            "replan with the plan made from this scenario"
        )
    anchored = reanchor(scenario, actuals, reveal_after=reveal_after)
    plan = replace(solve(anchored, solver, **flags), as_of_period=actuals.as_of_period)
    changes = [] if old_plan is None else order_changes(old_plan, plan)
    return Replan(actuals.as_of_period, anchored, plan, changes)


__all__ = ["Replan", "replan"]
