"""Solver profiles: named YAML files with a backend, engine, time limit, gap, threads and seed.

The profiles flexsupply ships live in the top-level ``solvers/`` folder, installed with the
package as ``flexsupply/solvers/`` (a symlink in the repository), so ``--solver fast`` works
anywhere. A profile file of your own is named by its path: ``--solver my-profile.yaml``. A plain
backend name is a profile with only the backend set. A profile loads into ``SolveSettings``.
"""

from __future__ import annotations

import difflib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Unpack

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from flexsupply.backends import BACKENDS, DEFAULT_BACKEND, backend_info, installed_engines
from flexsupply.errors import BackendError, FlexsupplyError, Problem
from flexsupply.scenario.messages import field_message
from flexsupply.solve.methods import METHODS
from flexsupply.solve.settings import MAX_TIME_LIMIT, SettingsFlags, SolveSettings

_SUFFIXES = (".yaml", ".yml")


class ProfileError(FlexsupplyError):
    """A solver profile file that cannot be used; carries every problem with file and line."""

    exit_code = 1

    def __init__(self, problems: list[Problem], source: str) -> None:
        self.problems = problems
        self.source = source
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"{len(problems)} {noun} in solver profile {source}"]
        super().__init__("\n".join(lines + [f"  {problem}" for problem in problems]))


class SolverProfile(BaseModel):
    """How to solve: backend, engine and stopping rules. Fields left out keep the defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str = ""
    """Name of the profile; a file's name without ``.yaml`` when the file does not give one."""
    description: str | None = None
    """One line saying what the profile is for."""
    backend: str = DEFAULT_BACKEND
    """Solver library, one of ``flexsupply solvers`` lists (``ortools`` or ``pulp``)."""
    engine: str | None = None
    """Engine inside the backend: ``scip`` or ``highs`` (ortools), ``cbc`` or ``highs`` (pulp);
    omitted means the backend's default."""
    method: str = "auto"
    """Solve method: ``auto`` (flexsupply picks) or ``monolithic`` (one engine call)."""
    warm_start: bool | None = None
    """Hand the engine a heuristic first plan. Omitted: when there is a time limit."""
    time_limit: float | None = Field(None, gt=0, le=MAX_TIME_LIMIT, allow_inf_nan=False)
    """Wall-clock limit [seconds]; the best plan found by then is returned. Omitted: none."""
    gap: float | None = Field(None, ge=0, lt=1, allow_inf_nan=False)
    """Relative optimality gap to stop at, a fraction: 0.02 for 2 %. Omitted: prove optimality
    (1e-6)."""
    threads: int | None = Field(None, ge=1)
    """Threads the engine may use. Omitted: the engine's default."""
    seed: int | None = None
    """Random seed of the engine. Omitted: 0."""
    node_limit: int | None = Field(None, ge=1)
    """Branch-and-bound nodes the engine, and each warm-start sub-MIP, may explore: a work limit
    that stops the search at the same point however busy the machine is, so the same input
    gives the same plan (the time limit is then only a safety net). Omitted: none."""
    iterations: int | None = Field(None, ge=1)
    """Rounds of subproblems the decomposition may run (each moves the multipliers once).
    Omitted: the method's default."""

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, backend: str) -> str:
        if backend not in BACKENDS:
            choices = " or ".join(repr(name) for name in BACKENDS)
            raise ValueError(f"input should be {choices}, got {backend!r}")
        return backend

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, engine: str | None, info: ValidationInfo) -> str | None:
        backend = info.data.get("backend")
        if engine is None or backend is None:
            return engine
        engines = backend_info(backend).engine_names
        if engine not in engines:
            raise ValueError(
                f"unknown engine {engine!r} for {backend}; choose {', '.join(engines)}"
            )
        return engine

    @field_validator("method")
    @classmethod
    def _known_method(cls, method: str) -> str:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose {', '.join(METHODS)}")
        return method

    @property
    def settings(self) -> SolveSettings:
        """Returns the profile as the ``SolveSettings`` every solve takes."""
        return SolveSettings(
            backend=self.backend,
            engine=self.engine,
            time_limit=self.time_limit,
            gap=self.gap,
            threads=self.threads,
            seed=self.seed or 0,
            warm_start=self.warm_start,
            method=self.method,
            node_limit=self.node_limit,
            iterations=self.iterations,
        )

    def with_flags(self, **flags: Unpack[SettingsFlags]) -> SolverProfile:
        """Returns the profile with every setting that is not None replaced (command-line flags)."""
        return self.model_copy(
            update={
                key: value
                for key, value in flags.items()
                if value is not None and key in SolverProfile.model_fields
            }
        )

    def summary(self) -> str:
        """Returns the settings in one line, e.g. ``ortools/highs, 30 s, gap 2 %``."""
        return self.settings.summary()


def bundled_profiles() -> dict[str, Traversable]:
    """Returns the profiles shipped in ``flexsupply/solvers/``, by name, sorted."""
    folder = files("flexsupply") / "solvers"
    found = {
        entry.name.rsplit(".", 1)[0]: entry
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIXES)
    }
    return dict(sorted(found.items()))


def find_profile(choice: str) -> SolverProfile:
    """Returns the profile ``choice`` names: a backend, a bundled profile or a profile file.

    Raises:
        BackendError: ``choice`` is none of those (the message lists what is available).
        ProfileError: the profile file has problems.
    """
    if choice in BACKENDS:
        return SolverProfile(name=choice, backend=choice)
    bundled = bundled_profiles()
    if choice in bundled:
        entry = bundled[choice]
        return parse_profile(entry.read_text(encoding="utf-8"), str(entry), choice)
    path = Path(choice)
    if path.suffix in _SUFFIXES or path.is_file():
        return load_profile(path)
    names = [*BACKENDS, *bundled]
    close = difflib.get_close_matches(choice, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise BackendError(
        f"unknown solver {choice!r}{hint}; give a backend ({', '.join(BACKENDS)}), "
        f"a profile ({', '.join(bundled)}) or a profile file ending in .yaml"
    )


def load_profile(path: str | Path) -> SolverProfile:
    """Reads and validates a profile file; its name defaults to the file name.

    Raises:
        ProfileError: the file is missing, is not YAML or has invalid settings (file:line each).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ProfileError(
            [Problem((), f"cannot read file: {reason}", str(path))], str(path)
        ) from None
    return parse_profile(text, str(path), path.stem)


def parse_profile(text: str, source: str, name: str) -> SolverProfile:
    """Validates profile YAML text; ``source`` names it in problems, ``name`` is the default name.

    Raises:
        ProfileError: the text is not a YAML mapping or has invalid settings (each with its line).
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        reason = getattr(error, "problem", None) or str(error)
        raise ProfileError(
            [Problem((), f"not valid YAML: {reason}", source, line, column)], source
        ) from None
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        problem = Problem(
            (), "expected a mapping of settings (backend, engine, time_limit, gap)", source, 1, 1
        )
        raise ProfileError([problem], source)
    data.setdefault("name", name)
    try:
        return SolverProfile.model_validate(data)
    except ValidationError as error:
        problems = [_problem(item, root, source) for item in error.errors()]
        raise ProfileError(problems, source) from None


def _problem(item: Any, root: yaml.MappingNode, source: str) -> Problem:
    """Returns a pydantic error placed at its key's line in the profile file."""
    loc = tuple(part for part in item["loc"] if isinstance(part, str | int))
    key = loc[0] if loc else None
    mark = root.start_mark
    for key_node, value_node in root.value:
        if key_node.value == key:
            mark = (
                key_node.start_mark if item["type"] == "extra_forbidden" else value_node.start_mark
            )
    if item["type"] == "extra_forbidden":
        fields = list(SolverProfile.model_fields)
        close = difflib.get_close_matches(str(key), fields, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        message = f"unknown setting {key!r}{hint}; settings: {', '.join(fields)}"
    else:
        message = field_message(item)
        if key == "gap" and item["type"] == "less_than":
            message += " (the gap is a fraction: 0.02 is 2 %)"
    return Problem(loc[:1], message, source, mark.line + 1, mark.column + 1)


def resolve_settings(
    solver: str | SolveSettings = DEFAULT_BACKEND, **flags: Unpack[SettingsFlags]
) -> SolveSettings:
    """Returns the settings ``solver`` names, with every flag that is not None applied on top.

    ``solver`` is a ``SolveSettings``, a backend name, a profile name or a profile file.

    Raises:
        BackendError: ``solver`` names nothing known.
        ProfileError: the profile file has problems.
    """
    base = solver if isinstance(solver, SolveSettings) else find_profile(solver).settings
    return base.with_flags(**flags)


__all__ = [
    "ProfileError",
    "SolverProfile",
    "bundled_profiles",
    "find_profile",
    "installed_engines",
    "load_profile",
    "parse_profile",
    "resolve_settings",
]
