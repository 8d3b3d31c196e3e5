"""Solver backends: one small module per solver library behind one protocol.

Solver libraries are imported only when a backend solves, so importing flexsupply stays light.
"""

from __future__ import annotations

from flexsupply.backends.result import Backend, SolverOptions, SolverResult, Status
from flexsupply.errors import BackendError

BACKEND_NAMES = ("ortools", "pulp")
"""Backends flexsupply ships, the first being the default."""


def get_backend(name: str) -> Backend:
    """Returns the backend called ``name`` (``ortools`` or ``pulp``).

    Raises:
        BackendError: the name is unknown.
    """
    if name == "ortools":
        from flexsupply.backends.ortools import OrtoolsBackend

        return OrtoolsBackend()
    if name == "pulp":
        from flexsupply.backends.pulp import PulpBackend

        return PulpBackend()
    raise BackendError(f"unknown solver {name!r}; choose one of {', '.join(BACKEND_NAMES)}")


__all__ = ["BACKEND_NAMES", "Backend", "SolverOptions", "SolverResult", "Status", "get_backend"]
