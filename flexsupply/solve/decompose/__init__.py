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
AUTO_MAX_STYLES = 60
"""... and at most this many ..."""
AUTO_MIN_BINARIES = 600
"""... and at least this many binary columns; every other program gets one engine call.

Measured on 2 cores, idle, 60 s (``benchmarks/results/decompose-idle.md``), gap of the
decomposition against one engine call: spring-drop:15 (30 styles, 12,146 binaries) 4.60 %
against 13.88 %; 30x5x12x1 (30 styles, 864) 2.76 % against 4.05 %; 100x5x26x1 (100 styles,
6,396) 24.4 % against 12.9 %: a round of 100 subproblems on 2 cores leaves time for 2 rounds
and the plan side starts from a worse plan. With the hybrid split (``hybrid.py``) at load 7-8:
decompose 24.7 % against 20.6 % in the benchmark, 16.3 % in a niced run with the log; the
winner under load is not settled, so 100 styles stay with one engine call
(``benchmarks/results/decompose-100.md``). The templates (3-12 styles) and the Trigeiro
lot-sizing instances (G51-G75: 6-24 items, 180-720 binaries) are proven fastest by one engine
call. Larger seasons (500x10x52x1) gave no plan with either method under load."""


def choose_method(program: LinearProgram) -> str:
    """Returns the method ``auto`` runs: ``decompose`` or ``monolithic``.

    ``decompose`` for a program with ``AUTO_MIN_STYLES`` to ``AUTO_MAX_STYLES`` styles and at
    least ``AUTO_MIN_BINARIES`` on/off decisions (where it was measured to win), else one
    engine call.
    """
    styles = program.styles()
    n_styles = len(set(styles[styles >= 0].tolist()))
    binaries = int((program.integer & (program.col_upper <= 1) & (program.col_lower >= 0)).sum())
    if AUTO_MIN_STYLES <= n_styles <= AUTO_MAX_STYLES and binaries >= AUTO_MIN_BINARIES:
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
