"""What planning for uncertainty is worth (VSS, EVPI), as a plan carries it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StochasticReport:
    """What planning for uncertainty is worth, in the objective's money [currency].

    For ``max_profit`` VSS = RP − EEV and EVPI = WS − RP; for ``min_cost`` the signs turn, so
    both are never negative. With a risk term every value is of the risk-adjusted objective.
    """

    sense: str
    """``max`` or ``min``: how the objective is optimised."""
    rp: float
    """Recourse problem: objective of the stochastic plan."""
    ev: float
    """Objective of the mean-demand plan on the mean demand itself."""
    eev: float | None
    """Expected result of the mean-demand plan: its first stage kept, recourse chosen per
    scenario (None when some scenario has no feasible recourse)."""
    vss: float | None
    """Value of the stochastic solution (None, read as unbounded, when EEV is None)."""
    ws: float
    """Wait-and-see: objective when every scenario is planned knowing its demand."""
    evpi: float
    """Expected value of perfect information."""
    rp_gap: float
    """Optimality gap of the stochastic plan; VSS and EVPI are exact only when it is 0."""
    seconds: float
    """Time spent on the extra solves [seconds]."""
    ws_bound: float | None = None
    """The engines' bound on WS, which bounds the stochastic plan's objective too (None when
    unknown) [currency]."""


def stochastic_from_dict(data: Mapping[str, Any]) -> StochasticReport:
    """Returns the stochastic report ``to_dict`` wrote (None read back as nan where a number is due)."""
    optional = {"eev", "vss", "ws_bound"}
    fields = StochasticReport.__dataclass_fields__
    values: dict[str, Any] = {
        key: value if key in optional or isinstance(value, str) else nan_or(value)
        for key, value in data.items()
        if key in fields
    }
    return StochasticReport(**values)


def nan_or(value: float | None) -> float:
    """Returns ``value``, or nan for None (how ``Plan.to_dict`` writes nan)."""
    return math.nan if value is None else float(value)


__all__ = ["StochasticReport", "nan_or", "stochastic_from_dict"]
