"""A plan's campaigns and markdowns decided before the reveal, as part of its first stage.

``simulate`` scores a plan on fresh demand with its first stage fixed: the shared orders, and
with this module also the campaigns and markdown prices the plan decides before demand is
revealed, so that fresh demand does not re-decide them with hindsight.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from flexsupply.model.build import FirstStage
from flexsupply.plan.levers import LeverReport
from flexsupply.scenario import Scenario


def with_plan_levers(
    first: FirstStage, scenario: Scenario, levers: LeverReport | None
) -> FirstStage:
    """Returns ``first`` with the plan's campaigns and markdowns decided before the reveal.

    Returns:
        ``first`` unchanged when the scenario or the plan has no levers.
    """
    if scenario.levers is None or levers is None:
        return first
    reveal = first.quantity.shape[1]
    bought = {c.name: c for c in levers.campaigns}
    purchase = np.array(
        [
            bought[c.name].bought[0] if c.name in bought and bought[c.name].shared else np.nan
            for c in scenario.levers.campaigns
        ],
        dtype=float,
    )
    rows = []
    for markdown in scenario.levers.markdown:
        discounts = [round(point.discount, 6) for point in markdown.price_points]
        for style in markdown.products:
            chosen = levers.markdown.get(style, [[0.0] * reveal])[0][:reveal]
            rows.append(
                [
                    discounts.index(round(d, 6)) + 1 if round(d, 6) in discounts else 0
                    for d in chosen
                ]
            )
    point = np.array(rows, dtype=np.int64).reshape(len(rows), reveal)
    return replace(first, levers=(purchase, point))
