"""The solver options every command that may solve shares: --solver, the flags, --set.

``solver_flags`` adds them all and hands the command one ``SolverChoice`` (as ``choice``), so
``solve``, ``batch``, ``compare``, ``report`` and ``simulate`` take the same flags and profiles.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import click

from flexsupply.backends import BACKEND_NAMES, BACKENDS, DEFAULT_BACKEND
from flexsupply.cli.set_option import SET_HELP
from flexsupply.solve.settings import MAX_TIME_LIMIT, SettingsFlags, SolveSettings

F = TypeVar("F", bound=Callable[..., Any])

GAP_HELP = "Relative optimality gap, a fraction: 0.01 is 1 %. Overrides the profile."
_FLAGS = ("engine", "time_limit", "gap", "threads", "seed", "method", "node_limit", "iterations")


class FiniteFloatRange(click.FloatRange):
    """A ``FloatRange`` that also refuses ``nan`` and ``inf`` (which compare as in range)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Returns the number, or fails with a usage error when it is not finite."""
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


@dataclass(frozen=True)
class SolverChoice:
    """What the solver options said: a backend or profile, the flags over it, the overrides."""

    solver: str = DEFAULT_BACKEND
    flags: SettingsFlags = field(default_factory=lambda: SettingsFlags())
    """Flags given (None for those left out): engine, time_limit [s], gap, threads, seed, method."""
    sets: tuple[str, ...] = ()
    """``--set PATH=VALUE`` texts, applied to every scenario the command loads."""

    def settings(self, **extra: Any) -> SolveSettings:
        """Returns the ``SolveSettings`` of the choice, checked before any work.

        Raises:
            BackendError: unknown solver, or settings the engine cannot honour.
            ProfileError: the profile file has problems.
        """
        from flexsupply.solve.profiles import resolve_settings

        settings = resolve_settings(self.solver, **{**self.flags, **extra})
        settings.check()
        return settings


def _engines_help() -> str:
    return ", ".join(f"{'|'.join(info.engine_names)} ({name})" for name, info in BACKENDS.items())


def solver_flags(scope: str = "", *, seed: bool = True) -> Callable[[F], F]:
    """Returns a decorator adding the solver options and ``--set``; the command gets ``choice``.

    ``scope`` ends each help text, e.g. ``" (for a scenario FILE)"``. ``seed=False`` leaves
    ``--seed`` to the command (``simulate`` seeds its samples and the solver with one flag).
    """
    options = [
        click.option(
            "--solver",
            default=DEFAULT_BACKEND,
            show_default=True,
            metavar="NAME|PROFILE.yaml",
            help=f"Backend ({', '.join(BACKEND_NAMES)}), solver profile (fast, exact, …; see "
            f"`flexsupply solvers`) or a profile file{scope}.",
        ),
        click.option(
            "--engine",
            default=None,
            help=f"Engine inside the backend: {_engines_help()}{scope}. Overrides the profile.",
        ),
        click.option(
            "--time-limit",
            type=FiniteFloatRange(min=0, min_open=True, max=MAX_TIME_LIMIT),
            default=None,
            help=f"Stop after this many seconds with the best plan found{scope}; the limit covers "
            "the whole solve (sampling, building, warm start, engine, report). Overrides the "
            "profile.",
        ),
        click.option(
            "--gap",
            type=FiniteFloatRange(min=0, max=1, max_open=True),
            default=None,
            help=GAP_HELP,
        ),
        click.option("--threads", type=click.IntRange(min=1), default=None, help="Solver threads."),
        click.option(
            "--node-limit",
            type=click.IntRange(min=1),
            default=None,
            help="Stop after this many branch-and-bound nodes (engine and each warm-start "
            "sub-MIP): the same input then gives the same plan on a busy machine, and "
            "--time-limit is only a safety net. Overrides the profile.",
        ),
        click.option(
            "--iterations",
            type=click.IntRange(min=1),
            default=None,
            help="Rounds of subproblems the decomposition runs at most (default: the method's). "
            "Overrides the profile.",
        ),
        click.option(
            "--method",
            default=None,
            metavar="auto|monolithic|decompose",
            help="Solve method (default auto: decompose seasons of many styles). Overrides the profile.",
        ),
        click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP),
    ]
    names = [name for name in _FLAGS if seed or name != "seed"]
    if seed:
        options.insert(
            5,
            click.option("--seed", type=int, default=None, help="Solver random seed (default 0)."),
        )

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            flags = cast(SettingsFlags, {name: kwargs.pop(name) for name in names})
            choice = SolverChoice(kwargs.pop("solver"), flags, tuple(kwargs.pop("sets")))
            return command(*args, choice=choice, **kwargs)

        decorated: Any = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


def comparison_format_option() -> Callable[[F], F]:
    """Returns ``--format table|json|csv`` for commands that print a comparison of plans."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="A readable table (best values marked *), or the comparison as JSON or CSV.",
    )
