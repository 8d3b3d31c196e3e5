"""The backends flexsupply ships and what each of their engines can do.

Adding a backend (Gurobi, cuOpt, Xpress) means one module with a class that follows
``Backend`` and one ``BackendInfo`` entry in ``BACKENDS``. The rest of flexsupply reads the
capabilities declared here (settings checks, the warm-start hand-off, the progress line) and
never a backend's or an engine's name.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
from dataclasses import dataclass

from flexsupply.backends.result import Backend
from flexsupply.errors import BackendError


@dataclass(frozen=True)
class EngineInfo:
    """One engine inside a backend and what it can do."""

    name: str
    label: str
    """How people call it, e.g. ``HiGHS under PuLP``."""
    requires: tuple[str, ...]
    """Python modules it needs (checked without importing them)."""
    mip: bool = True
    """Solves programs with integer columns."""
    time_limit: bool = True
    """Stops at a wall-clock limit with its best plan."""
    warm_start: bool = False
    """Takes a first plan as a start or solution hint."""
    live_bound: bool = False
    """Reports incumbent and bound while it runs."""
    threads: bool = True
    """Can be given a thread count."""
    stop_seconds: float = 0.0
    """How long the engine may run past its time limit before it stops (it checks the clock
    between phases), measured on spring-drop; the solve layer gives it that much less [seconds]."""

    @property
    def installed(self) -> bool:
        """True when every module the engine needs is installed."""
        return all(importlib.util.find_spec(module) is not None for module in self.requires)


@dataclass(frozen=True)
class BackendInfo:
    """A backend: where its class lives, its engines (the first is the default)."""

    name: str
    target: str
    """``module:Class`` of the backend, imported only when it solves."""
    engines: tuple[EngineInfo, ...]

    @property
    def default_engine(self) -> EngineInfo:
        """Returns the engine used when none is named."""
        return self.engines[0]

    @property
    def engine_names(self) -> tuple[str, ...]:
        """Returns the engine names, the default first."""
        return tuple(engine.name for engine in self.engines)

    def engine(self, name: str | None) -> EngineInfo:
        """Returns the engine called ``name`` (None: the default).

        Raises:
            BackendError: the backend has no such engine.
        """
        if name is None:
            return self.default_engine
        for engine in self.engines:
            if engine.name == name:
                return engine
        raise BackendError(
            f"unknown {self.name} engine {name!r}; choose one of {', '.join(self.engine_names)}"
        )

    def load(self) -> Backend:
        """Returns an instance of the backend (imports its solver library's wrapper)."""
        module, _, cls = self.target.partition(":")
        backend: Backend = getattr(importlib.import_module(module), cls)()
        return backend


BACKENDS: dict[str, BackendInfo] = {
    "ortools": BackendInfo(
        "ortools",
        "flexsupply.backends.ortools:OrtoolsBackend",
        (
            EngineInfo(
                "scip", "SCIP", ("ortools",), warm_start=True, live_bound=True, stop_seconds=1.5
            ),
            EngineInfo(
                "highs",
                "HiGHS under OR-Tools",
                ("ortools",),
                live_bound=True,
                threads=False,
                stop_seconds=0.5,
            ),
        ),
    ),
    "pulp": BackendInfo(
        "pulp",
        "flexsupply.backends.pulp:PulpBackend",
        (
            EngineInfo(
                "highs", "HiGHS under PuLP", ("pulp", "highspy"), warm_start=True, stop_seconds=0.5
            ),
            EngineInfo("cbc", "CBC", ("pulp", "cbcbox"), warm_start=True, stop_seconds=1.5),
        ),
    ),
}
"""Every backend by name; the first is the default."""

BACKEND_NAMES = tuple(BACKENDS)
"""Backends flexsupply ships, the first being the default (read ``BACKENDS`` for the backends
registered now)."""

DEFAULT_BACKEND = BACKEND_NAMES[0]
"""The backend used when none is named."""


def backend_info(name: str) -> BackendInfo:
    """Returns the registry entry of backend ``name``.

    Raises:
        BackendError: the name is unknown (the message lists the backends).
    """
    info = BACKENDS.get(name)
    if info is None:
        close = difflib.get_close_matches(name, BACKEND_NAMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise BackendError(
            f"unknown solver {name!r}{hint}; choose one of {', '.join(BACKEND_NAMES)}"
        )
    return info


def get_backend(name: str) -> Backend:
    """Returns the backend called ``name``.

    Raises:
        BackendError: the name is unknown or its solver library is not installed.
    """
    return backend_info(name).load()


def installed_engines() -> dict[str, dict[str, bool]]:
    """Returns per backend whether each engine's library is installed (without importing it)."""
    return {
        name: {engine.name: engine.installed for engine in info.engines}
        for name, info in BACKENDS.items()
    }
