"""The agreement multipliers of the decomposition by scenario, moved round after round.

Each bound round of ``scenario_split.py`` prices part k's copy of the first stage by λ_k
(the multipliers summing to zero over the parts, so every round is a valid bound) and gives
L(λ) with each part's copy, whose deviation from the parts' mean copy is a subgradient of L.
The update is stabilised around a centre, the multipliers of the best bound so far (the
subgradient method with step halving of Held, Wolfe & Crowder 1974): a round that lowers the
bound moves the centre there (a serious step), one that does not halves the step factor (a
null step); the next multipliers are a Polyak step from the centre along its subgradient,
aiming at the best plan's value. The first centre is λ = 0, the wait-and-see bound: the
LP's own agreement multipliers are worth little here (on spring-drop:100 the whole LP is
528,801 against 530,420 for the parts' LPs at λ = 0, and takes minutes), see
``benchmarks/results/decompose-scenarios.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from flexsupply.arrays import FloatArray

STEP = 1.0
"""Polyak step factor of the first step."""
SHRINK = 0.5
"""The step factor is multiplied by this after a round that did not lower the bound."""


@dataclass
class Prices:
    """The multipliers' centre and step, in the sense of max (the bound comes down).

    Attributes:
        centre: the multipliers of the best bound so far ``(n_parts, n_shared)``.
        centre_bound: that bound [currency] (inf before the first round).
        direction: the subgradient at the centre (None before a round with every copy).
        factor: the Polyak step factor.
    """

    centre: FloatArray
    centre_bound: float = math.inf
    direction: FloatArray | None = field(default=None)
    factor: float = STEP

    def after(
        self, tried: FloatArray, bound: float, copies: FloatArray | None, best: float
    ) -> FloatArray | None:
        """Records a round and returns the multipliers of the next, or None when stuck.

        Args:
            tried: the round's multipliers.
            bound: its Lagrangian bound [currency] (inf when a part gave none).
            copies: each part's first-stage copy ``(n_parts, n_shared)``, or None if one is
                missing.
            best: the best plan's value [currency].

        Returns:
            The next round's multipliers, centred (summing to zero over the parts); None
            when there is no direction to step along or the bound meets the plan.
        """
        if bound < self.centre_bound and copies is not None:
            self.centre, self.centre_bound = tried, bound
            self.direction = copies - copies.mean(axis=0)
        elif math.isfinite(self.centre_bound):
            self.factor *= SHRINK
        if self.direction is None:
            return None
        return step(self.centre, self.direction, self.factor * (self.centre_bound - best))


def step(multipliers: FloatArray, direction: FloatArray, excess: float) -> FloatArray | None:
    """Returns the multipliers after a Polyak step along ``-direction``, or None.

    ``direction`` is a subgradient of the bound at ``multipliers`` (each part's copy minus
    the parts' mean copy); the step aims at closing ``excess`` (the factor times the bound
    minus the best plan) [currency]. None when the direction is zero or there is no excess.
    """
    norm = float((direction**2).sum())
    if norm <= 0.0 or not excess > 0.0 or not math.isfinite(excess):
        return None
    stepped = multipliers - excess / norm * direction
    # Centred again: rounding must not leave a sum that would make the bound invalid.
    return np.asarray(stepped - stepped.mean(axis=0), dtype=np.float64)
