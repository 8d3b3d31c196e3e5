"""Seasons of many styles: a few Lagrangian rounds for the bound, the rest for the plan.

On a season of more styles than ``HYBRID_MIN_STYLES`` a round of subproblems takes a large
share of a short time limit on 2 cores (100x5x26x1: about 15 s a round at idle), and the bound
gained after the second round is small (the per-style MILPs at the LP duals already give
9.62 M where the LP gives 10.04 M; the bundle method converges near 9.46 M after 18 rounds),
while the plan side had no time left: the repair of the Lagrangian plans re-dives the whole
season twice (7.80 M), and fix-and-optimise by style, which takes the LP dive's plan of
7.74 M to 8.82 M in one sweep and 8.87 M in two, never ran. So the decomposition's work on
such a season is split the other way:

- **bound**: ``HYBRID_ROUNDS`` rounds of subproblems (a count: the bound is the same on any
  load), the tightest of the Lagrangian and the LP bound;
- **plan**: no repair of the Lagrangian plans; fix-and-optimise by style from the best plan
  (the LP dive's, or a glued Lagrangian plan when feasible and better), up to
  ``HYBRID_SWEEPS`` sweeps, each a seeded new grouping of the styles, until a sweep finds
  nothing better.

Every limit is a count; the time limit is a safety net. Seasons at scale
(``scale.at_scale``) keep their own path.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.method import DecomposeSettings
from flexsupply.solve.decompose.scale import at_scale

HYBRID_MIN_STYLES = 61
"""A program with at least this many styles gets the hybrid split of work (``hybrid``)."""
HYBRID_ROUNDS = 2
"""Rounds of subproblems of the hybrid's bound side, at most."""
HYBRID_SWEEPS = 6
"""Sweeps of fix-and-optimise by style of the hybrid's plan side, at most (a sweep that finds
nothing better ends them: on 100x5x26x1 the third sweep did)."""
HYBRID_BOUND_SHARE = 0.5
"""Share of the time limit after which the hybrid's bound side starts no more rounds."""


def n_styles(program: LinearProgram) -> int:
    """Returns how many distinct styles tag the program's columns."""
    styles = program.styles()
    return len(np.unique(styles[styles >= 0]))


def many_styles(program: LinearProgram) -> bool:
    """Returns whether ``program`` has ``HYBRID_MIN_STYLES`` styles or more, below scale."""
    return not at_scale(program) and n_styles(program) >= HYBRID_MIN_STYLES


def hybrid(settings: DecomposeSettings) -> DecomposeSettings:
    """Returns ``settings`` with the hybrid's split of work (module docstring).

    Rounds are capped at ``HYBRID_ROUNDS`` (fewer when the settings ask for fewer); the plan
    side skips the repair and runs up to ``HYBRID_SWEEPS`` sweeps of fix-and-optimise by style,
    with the settings' node limit per sub-MIP.
    """
    plan = replace(settings.plan, repairs=0, style_sweeps=HYBRID_SWEEPS)
    return replace(
        settings,
        max_iterations=min(settings.max_iterations, HYBRID_ROUNDS),
        bound_share=min(settings.bound_share, HYBRID_BOUND_SHARE),
        plan=plan,
    )


def settings_for(program: LinearProgram, settings: DecomposeSettings) -> DecomposeSettings:
    """Returns the decomposition's settings for ``program``: the hybrid's on many styles.

    Returns:
        ``hybrid(settings)`` when ``many_styles(program)``, else ``settings`` unchanged.
    """
    return hybrid(settings) if many_styles(program) else settings
