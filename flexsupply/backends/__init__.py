"""Solver backends: one small module per solver library behind one protocol, and their registry.

Solver libraries are imported only when a backend solves, so importing flexsupply stays light.
"""

from __future__ import annotations

from flexsupply.backends.registry import (
    BACKEND_NAMES,
    BACKENDS,
    DEFAULT_BACKEND,
    BackendInfo,
    EngineInfo,
    backend_info,
    get_backend,
    installed_engines,
)
from flexsupply.backends.result import Backend, Progress, SolverOptions, SolverResult, Status

__all__ = [
    "BACKENDS",
    "BACKEND_NAMES",
    "DEFAULT_BACKEND",
    "Backend",
    "BackendInfo",
    "EngineInfo",
    "Progress",
    "SolverOptions",
    "SolverResult",
    "Status",
    "backend_info",
    "get_backend",
    "installed_engines",
]
