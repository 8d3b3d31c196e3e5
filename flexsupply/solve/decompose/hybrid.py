"""Seasons of many styles: a few Lagrangian rounds for the bound, the rest for the plan.

On a season of more styles than ``HYBRID_MIN_STYLES`` a round of subproblems takes a large
share of a short time limit on 2 cores (100x5x26x1: 25-30 s a round at load 7), and the bound
gained after the second round is small (the per-style MILPs at the LP duals already give
9.62 M where the LP gives 10.04 M; the bundle method converges near 9.46 M after 18 rounds),
while the plan side had no time left: the repair of the Lagrangian plans re-dives the whole
season twice (7.80 M), and fix-and-optimise by style, which takes the LP dive's plan of
7.74 M to 8.82 M in one sweep and 8.87 M in two, never ran. So the decomposition's work on
such a season is split the other way:

- **start**: the warm start of one engine call (LP dive, then fix-and-optimise for
  ``HYBRID_WARM_SHARE`` of the time), not the dive alone;
- **bound**: ``HYBRID_ROUNDS`` rounds of subproblems (a count: the bound is the same on any
  load), the tightest of the Lagrangian and the LP bound;
- **plan**: no repair of the Lagrangian plans; up to ``HYBRID_RINS_ROUNDS`` RINS
  neighbourhood MIPs around the best plan (``rins.py``: the integers the LP relaxation and the
  plan agree on stay fixed), then fix-and-optimise by style from the best plan
  (the warm start's, or a glued Lagrangian plan when feasible and better), up to
  ``HYBRID_SWEEPS`` sweeps, each a seeded new grouping of the styles, until a sweep finds
  nothing better; ``SWEEP_WIDTH`` groups at a time (``sweeps.py``).

On a small program (at most ``PlanLimits.mip_rows`` rows, e.g. 30x5x12x1 with 4,078) HiGHS
on the whole program proves a tighter bound than the bundle method: on 30x5x12x1, 853,400
after 28 s of its root (load 10) where 8 rounds give 855,842, and 848,000 after 300 s. There
the decomposition runs ``TAIL_ROUNDS`` rounds and its plan side, then hands the best plan to
the engine's HiGHS on the whole program for the time left (``PlanLimits.whole``), whose bound
counts when tighter: the tightest bound and the best plan win.

Every limit is a count (the engine's tail stops on ``TAIL_NODES`` nodes); the time limit is a
safety net. Seasons at scale (``scale.at_scale``) keep their own path.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.method import DecomposeSettings
from flexsupply.solve.decompose.scale import at_scale

HYBRID_MIN_STYLES = 61
"""A program with at least this many styles gets the hybrid split of work (``hybrid``)."""
HYBRID_ROUNDS = 1
"""Rounds of subproblems of the hybrid's bound side, at most."""
HYBRID_SWEEPS = 6
"""Sweeps of fix-and-optimise by style of the hybrid's plan side, at most (a sweep that finds
nothing better ends them: on 100x5x26x1 the third sweep did)."""
HYBRID_RINS_ROUNDS = 4
"""RINS neighbourhood MIPs (``rins.py``) before the sweeps by style, at most (a round that
finds nothing better ends them)."""
HYBRID_RINS_NODES = 1
"""Nodes of each RINS MIP: on 100x5x26x1 its root alone took the plan from 8,444,172 to
8,750,837, and 50 more nodes added nothing."""
HYBRID_BOUND_SHARE = 0.5
"""Share of the time limit after which the hybrid's bound side starts no more rounds."""
HYBRID_WARM_SHARE = 0.4
"""Share of the time left that the first plan and its fix-and-optimise (the warm start of one
engine call) get on many styles: on 100x5x26x1 at load 8 they reach 8.24 M in 30 s, where the
LP dive alone gives 7.74 M and a sweep by style has no time left after the round."""
SWEEP_WIDTH = 1
"""Groups of styles the hybrid's sweeps re-plan from the same plan at once (``sweeps.py``).

Two at a time (``sweeps.WIDTH``, on two processes) reaches the plan of one at a time on
100x5x26x1 (one sweep from the dive: 8,821,472 against 8,822,957); in two 60 s runs side by
side at load 6.5-8.4 it gave 24.36 % against 19.16 % (its processes started within the plan
side's last seconds) and 17.23 % against 20.06 %: noise at that load. Left at one until an
idle run settles it (``benchmarks/decompose.py --methods decompose decompose-width2``)."""
SWEEP_TIGHT = False
"""Whether the hybrid's first sweep (and every other one) groups the styles that share the
tightest factory weeks (``sweeps.tight_groups``): +0.13 % on one sweep two at a time, not
measured one at a time."""
TAIL_ROUNDS = 2
"""Rounds of subproblems on a small program before the engine's tail, at most."""
TAIL_NODES = 5_000
"""Branch-and-bound nodes of the engine's tail on a small program."""
TAIL_ENGINE = "highs"
"""The tail's engine, when the backend has it (OR-Tools and PuLP both do)."""


def n_styles(program: LinearProgram) -> int:
    """Returns how many distinct styles tag the program's columns."""
    styles = program.styles()
    return len(np.unique(styles[styles >= 0]))


def many_styles(program: LinearProgram) -> bool:
    """Returns whether ``program`` has ``HYBRID_MIN_STYLES`` styles or more, below scale."""
    return not at_scale(program) and n_styles(program) >= HYBRID_MIN_STYLES


def warm_start_share(program: LinearProgram) -> float | None:
    """Returns the share of the time left for the warm start's fix-and-optimise.

    Returns:
        ``HYBRID_WARM_SHARE`` on many styles (``many_styles``), else None: the LP dive's
        first plan alone.
    """
    return HYBRID_WARM_SHARE if many_styles(program) else None


def hybrid(settings: DecomposeSettings) -> DecomposeSettings:
    """Returns ``settings`` with the hybrid's split of work (module docstring).

    Rounds are capped at ``HYBRID_ROUNDS`` (fewer when the settings ask for fewer); the plan
    side skips the repair and runs up to ``HYBRID_SWEEPS`` sweeps of fix-and-optimise by style,
    ``SWEEP_WIDTH`` groups at a time on the settings' workers (``SWEEP_TIGHT``: every other
    sweep by the tightest rows), with the settings' node limit per sub-MIP.
    """
    plan = replace(
        settings.plan,
        repairs=0,
        rins_rounds=HYBRID_RINS_ROUNDS,
        rins_nodes=HYBRID_RINS_NODES,
        style_sweeps=HYBRID_SWEEPS,
        style_width=SWEEP_WIDTH,
        style_processes=settings.workers,
        style_tight=SWEEP_TIGHT,
    )
    return replace(
        settings,
        max_iterations=min(settings.max_iterations, HYBRID_ROUNDS),
        bound_share=min(settings.bound_share, HYBRID_BOUND_SHARE),
        plan=plan,
    )


def engine_tail(settings: DecomposeSettings) -> DecomposeSettings:
    """Returns ``settings`` with at most ``TAIL_ROUNDS`` rounds and the engine's tail.

    The plan side repairs the last Lagrangian plan (its one-style re-plans over the freed styles
    only) and sweeps by style once; the neighbourhood MIP and fix-and-optimise on the whole
    program are left to the engine, which gets the rest.
    """
    plan = replace(
        settings.plan,
        repairs=1,
        single_rest=False,  # the time is the tail's, whose bound counts (not measured with it)
        neighbourhood_nodes=0,
        fix_sweeps=0,
        whole=True,
        whole_engine=TAIL_ENGINE,
        whole_nodes=TAIL_NODES,
    )
    return replace(settings, max_iterations=min(settings.max_iterations, TAIL_ROUNDS), plan=plan)


def settings_for(program: LinearProgram, settings: DecomposeSettings) -> DecomposeSettings:
    """Returns the decomposition's settings for ``program`` (module docstring).

    Returns:
        ``hybrid(settings)`` when ``many_styles(program)``, ``engine_tail(settings)`` on a
        program of at most ``settings.plan.mip_rows`` rows, else ``settings`` unchanged; the
        repair's one-style re-plans run on the settings' workers in each.
    """
    plan = replace(settings.plan, single_processes=settings.workers)
    settings = replace(settings, plan=plan)
    if many_styles(program):
        return hybrid(settings)
    if program.n_rows <= settings.plan.mip_rows:
        return engine_tail(settings)
    return settings
