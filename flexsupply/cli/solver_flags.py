"""The --solver, --engine and --time-limit options shared by every command that may solve."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from flexsupply.backends import BACKEND_NAMES

F = TypeVar("F", bound=Callable[..., Any])


def solver_flags(scope: str = "") -> Callable[[F], F]:
    """Returns a decorator adding ``--solver``, ``--engine`` and ``--time-limit``, in that order.

    ``scope`` ends each help text, e.g. ``" (for a scenario FILE)"``.
    """
    options = [
        click.option(
            "--solver",
            default=BACKEND_NAMES[0],
            show_default=True,
            metavar="NAME|PROFILE.yaml",
            help="Backend (ortools, pulp), solver profile (fast, exact, …; see `flexsupply "
            f"solvers`) or a profile file{scope}.",
        ),
        click.option(
            "--engine",
            default=None,
            help="Engine inside the backend: scip|highs (ortools), highs|cbc (pulp)"
            f"{scope}. Overrides the profile.",
        ),
        click.option(
            "--time-limit",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            help=f"Stop after this many seconds with the best plan found{scope}. Overrides the "
            "profile.",
        ),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
