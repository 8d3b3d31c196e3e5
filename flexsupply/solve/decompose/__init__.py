"""Season-scale solving: Lagrangian decomposition by style with a proven bound.

``decompose`` solves a ``LinearProgram`` whose columns carry style tags: the rows linking
styles are found from the tags (``linking.py``), relaxed with multipliers that a proximal bundle
method moves (``bundle.py``), each style is a subproblem solved through the backend
(``subproblems.py``) on local processes or Dask (``executors.py``), and the restricted master
plus fix-and-optimise turn the per-style plans into one plan for the whole season
(``master.py``). ``choose_method`` picks it or one engine call by size.
"""

from __future__ import annotations

from flexsupply.model.program import LinearProgram
from flexsupply.solve.decompose.executors import EXECUTORS
from flexsupply.solve.decompose.linking import Partition, partition
from flexsupply.solve.decompose.method import DecomposeSettings, decompose

AUTO_MIN_STYLES = 25
"""``auto`` decomposes a program with at least this many styles ..."""
AUTO_MIN_BINARIES = 600
"""... and at least this many binary columns; smaller ones (the templates, the Trigeiro
lot-sizing instances of up to 24 items) are proven fastest by one engine call."""


def choose_method(program: LinearProgram) -> str:
    """Returns the method ``auto`` runs: ``decompose`` or ``monolithic``.

    ``decompose`` for a program with many styles and on/off decisions, else one engine call.
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
