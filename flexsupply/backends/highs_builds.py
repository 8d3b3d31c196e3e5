"""OR-Tools bundles an older HiGHS than highspy's; which one loads first decides who gets which.

Loaded after highspy, OR-Tools' HiGHS binds to highspy's symbols and a later ortools/highs solve
crashes. Loading OR-Tools' solver first keeps each library on its own HiGHS.
"""

from __future__ import annotations

import contextlib


def load_ortools_highs_first() -> None:
    """Imports OR-Tools' MathOpt solver (and its HiGHS) if it is installed; call before highspy."""
    with contextlib.suppress(ImportError):
        import ortools.math_opt.core.python.solver  # noqa: F401
