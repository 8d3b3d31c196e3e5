"""Season-scale solving: Lagrangian decomposition by style with a proven bound.

``decompose`` solves a ``LinearProgram`` whose columns carry style tags: the rows linking
styles are found from the tags (``linking.py``), relaxed with multipliers that a proximal bundle
method moves (``bundle.py``), each style is a subproblem solved through the backend
(``subproblems.py``) on local processes or Dask (``executors.py``), and the restricted master
plus fix-and-optimise turn the per-style plans into one plan for the whole season
(``master.py``). ``hybrid.py`` splits the work by the program's size (few rounds on many
styles; HiGHS on the whole program last on small ones). ``choose_method`` picks the
decomposition or one engine call by size.
"""

from __future__ import annotations

from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.executors import EXECUTORS
from flexsupply.solve.decompose.linking import Partition, partition
from flexsupply.solve.decompose.method import DecomposeSettings, decompose

AUTO_MIN_STYLES = 25
"""``auto`` decomposes a program with at least this many styles ..."""
AUTO_MIN_BINARIES = 600
"""... and at least this many binary columns; every other program gets one engine call.

Measured on 2 cores, 60 s, side by side in one run (``benchmarks/results/decompose-idle.md``,
load 0-1.5), gap of the decomposition against one engine call: spring-drop:15 (30 styles,
12,146 binaries) 3.49 % against 14.19 %; 30x5x12x1 (30 styles, 864) 3.04 % against 4.32 %;
100x5x26x1 (100 styles, 6,396, the hybrid split of ``hybrid.py``) 8.20 % against 13.78 %.
Seasons of 500 and 2,000 styles get no plan from one engine call and one from the
decomposition (``decompose-scale.md``). The templates (3-12 styles) and the Trigeiro
lot-sizing instances (G51-G75: 6-24 items, 180-720 binaries) are proven fastest by one engine
call."""


def choose_method(program: LinearProgram) -> str:
    """Returns the method ``auto`` runs: ``decompose`` or ``monolithic``.

    ``decompose`` for a program with at least ``AUTO_MIN_STYLES`` styles and at least
    ``AUTO_MIN_BINARIES`` on/off decisions (where it was measured to win), else one engine call.
    """
    styles = program.styles()
    n_styles = len(set(styles[styles >= 0].tolist()))
    binaries = int((program.integer & (program.col_upper <= 1) & (program.col_lower >= 0)).sum())
    if n_styles >= AUTO_MIN_STYLES and binaries >= AUTO_MIN_BINARIES:
        return "decompose"
    return "monolithic"


__all__ = [
    "EXECUTORS",
    "DecomposeSettings",
    "Partition",
    "choose_method",
    "decompose",
    "partition",
]
