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


def gap_option(help_text: str) -> Callable[[F], F]:
    """Returns the ``--gap`` option: a relative optimality gap, a fraction below 1."""
    return click.option(
        "--gap",
        type=click.FloatRange(min=0, max=1, max_open=True),
        default=None,
        help=help_text,
    )


GAP_HELP = "Relative optimality gap, a fraction: 0.01 is 1 %. Overrides the profile."


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
